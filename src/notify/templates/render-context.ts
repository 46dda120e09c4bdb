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
  };
  sla: {
    policy: string | null;
    metric: string | null;
    due_at: string | null;
    /** The resolution due moment, shown to customers as the expected resolution time. */
    expected_resolution: string | null;
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
    },
    sla: { policy: 'enterprise', metric: 'resolution', due_at: '2026-03-02T13:00:00.000Z', expected_resolution: '2026-03-02T13:00:00.000Z' },
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
  };
}
