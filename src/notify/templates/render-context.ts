/**
 * What a notification template can read. Every value here is data: user-written text (subject,
 * body, comments, documentation) reaches a template only through this object, never through
 * its source. Absent facts are `null` (strict mode refuses an unknown name, not a null one).
 */
export interface RenderContext {
  ticket: {
    key: string;
    subject: string;
    body: string;
    priority: string;
    status: string;
    channel: string;
    category: string | null;
    tags: string[];
    team: string | null;
    level: string | null;
    created_at: string;
    url: string;
  };
  customer: { name: string; email: string };
  organization: { name: string; tier: string; contract_value: number | null; account_manager: string | null };
  escalation: {
    reason: string | null;
    from_level: string | null;
    to_level: string | null;
    to_team: string | null;
    rule: string | null;
    /** Conditions the rule saw, one line each ("text matches …: lawsuit"). */
    trigger_points: string[];
    recommended_actions: string[];
    /** The customer's words when they asked for the escalation. */
    comment: string | null;
  };
  sla: {
    policy: string | null;
    metric: string | null;
    /** ISO instant (for `date` filters); `due_local` is the same moment as the recipient reads it. */
    due_at: string | null;
    /** e.g. "Tue 1 Dec 2026 10:00 EST": in the recipient's time zone (theirs, else their team calendar's). */
    due_local: string | null;
    /** The resolution due moment, shown to customers as the expected resolution time. */
    expected_resolution: string | null;
    expected_resolution_local: string | null;
  };
  documentation: {
    summary: string | null;
    steps_taken: string | null;
    needs_attention: string | null;
    supporting_documents: string[];
  };
  recipient: { address: string; role: string };
  /** The latest public reply by an agent, for progress updates. */
  latest_update: string | null;
  /** The staff reply a `customer-reply` message delivers (null in every other message). */
  reply: { body: string; author: string } | null;
  survey_url: string | null;
  rule: string | null;
  /**
   * What the customer may expect (SLA clocks, told in the SLA calendar's time zone): the first
   * reply's due moment while no one has replied, the expected resolution, and one sentence.
   */
  expectations: { first_response_due: string | null; resolution_due: string | null; time_zone: string | null; text: string | null };
  /** The address-confirmation link of a held web-form message (only in `intake-confirm-customer`). */
  confirmation_url: string | null;
}

/** A complete context with every field filled: templates are checked against it when saved. */
export function sampleContext(): RenderContext {
  return {
    ticket: {
      key: 'ESC-1042',
      subject: 'Export fails with <script>alert(1)</script> & {{ ticket.key }}',
      body: 'Every export since Monday ends with error 500.',
      priority: 'high',
      status: 'open',
      channel: 'email',
      category: 'technical',
      tags: ['export', 'api'],
      team: 'specialists',
      level: 'L2',
      created_at: '2026-03-02T09:00:00.000Z',
      url: 'https://escalon.example.com/tickets/ESC-1042',
    },
    customer: { name: 'Casey Customer', email: 'casey@acme.example' },
    organization: { name: 'Acme Corp', tier: 'enterprise', contract_value: 250000, account_manager: 'amy@example.com' },
    escalation: {
      reason: 'technical_complexity',
      from_level: 'L1',
      to_level: 'L2',
      to_team: 'specialists',
      rule: 'breach-goes-up',
      trigger_points: ['sla.metric eq resolution: resolution'],
      recommended_actions: ['Call the account manager within the hour'],
      comment: 'Please escalate, we are losing orders.',
    },
    sla: {
      policy: 'enterprise',
      metric: 'resolution',
      due_at: '2026-03-02T13:00:00.000Z',
      due_local: 'Mon 2 Mar 2026 08:00 EST',
      expected_resolution: '2026-03-02T13:00:00.000Z',
      expected_resolution_local: 'Mon 2 Mar 2026 08:00 EST',
    },
    documentation: {
      summary: 'Exports fail for large accounts.',
      steps_taken: 'Cleared the cache; reproduced on staging.',
      needs_attention: 'The export worker runs out of memory.',
      supporting_documents: ['export-log.txt'],
    },
    recipient: { address: 'lina@example.com', role: 'team_lead' },
    latest_update: 'We have found the cause and are testing a fix.',
    reply: { body: 'We found the cause: <b>the export worker</b> ran out of memory.\nA fix is deployed.', author: 'Alex Agent' },
    survey_url: 'https://escalon.example.com/api/v1/csat/sample-token',
    rule: 'breach-goes-up',
    expectations: {
      first_response_due: '2026-03-02T11:00:00.000Z',
      resolution_due: '2026-03-02T13:00:00.000Z',
      time_zone: 'America/New_York',
      text: "We'll reply within 2 business hours (by Mon, Mar 2, 2026, 6:00 AM EST). We expect to resolve your request by Mon, Mar 2, 2026, 8:00 AM EST.",
    },
    confirmation_url: 'https://escalon.example.com/api/v1/intake/confirm/sample-token',
  };
}
