/**
 * The tables as Kysely sees them. One shape for both dialects: instants are integer epoch
 * milliseconds, booleans are 0/1 integers, JSON is text, ids are app-generated text.
 */
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  tier: string;
  contract_value: number | null;
  account_manager: string | null;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  organization_id: string | null;
  password_hash: string | null;
  active: number;
  created_at: number;
  /** E.164 phone number for SMS notices (migration 0008). */
  phone?: string | null;
  /** IANA time zone for times in notices (migration 0008); null: the policy calendar's zone. */
  time_zone?: string | null;
  /** When the requester's personal data was erased (migration 0025). */
  erased_at?: number | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  digest: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Why it was revoked (migration 0014): revoked, password_changed, password_reset, deactivated. */
  revoked_reason?: string | null;
}

export interface SessionsTable {
  id: string;
  digest: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** Failed sign-ins per account (migration 0014): the account throttle. */
export interface LoginThrottleTable {
  /** The lower-cased email tried, whether or not an account has it. */
  account: string;
  failures: number;
  last_failed_at: number;
  blocked_until: number;
}

/** Browsers that signed in to an account before (migration 0014): they bypass the account throttle. */
export interface LoginDevicesTable {
  id: string;
  digest: string;
  user_id: string;
  /** Wrong passwords sent with this device cookie since its last success; at 5 it is dropped. */
  failures: number;
  created_at: number;
  expires_at: number;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface TicketsTable {
  id: string;
  key: string;
  number: number;
  requester_id: string;
  organization_id: string;
  channel: string;
  subject: string;
  body: string;
  priority: string;
  impact: number | null;
  urgency: number | null;
  category: string | null;
  tags: string;
  status: string;
  assignee_id: string | null;
  owner_id: string | null;
  team: string | null;
  level: string | null;
  created_at: number;
  updated_at: number;
  solved_at: number | null;
  version: number;
  reassignments: number;
  /** Team moves and bounces as the engine counts them (migration 0012). */
  team_moves: Generated<number>;
  bounces: Generated<number>;
  reopens: number;
  /** Owned by the escalation engine (JSON text); the foundation never interprets it. */
  engine_state: string | null;
  /** Maintained by the live engine for the queue views (migration 0002). */
  escalations: Generated<number>;
  ack_pending: Generated<number>;
  next_sla_at: number | null;
  /** The closed ticket this one continues (migration 0009). */
  follow_up_of: Generated<string | null>;
  /** Escalation risk (migration 0020): the latest score, its band, reasons (JSON), when, which model. */
  risk_score: Generated<number | null>;
  risk_band: Generated<string | null>;
  risk_reasons: Generated<string | null>;
  risk_at: Generated<number | null>;
  risk_model: Generated<string | null>;
  /** The first score the current model gave the ticket. */
  risk_opening: Generated<number | null>;
  /** The risk memo (JSON), folded on every change. */
  risk_memo: Generated<string | null>;
  /** The audit chain head (migration 0025): the last event's position and hash. */
  audit_seq: Generated<number>;
  audit_head: Generated<string | null>;
}

export interface CommentsTable {
  id: string;
  ticket_id: string;
  author_id: string;
  author_role: string;
  public: number;
  body: string;
  created_at: number;
}

/** Metadata only: the bytes live in the byte store under `sha256`. `ticket_id` is null while pending. */
export interface AttachmentsTable {
  id: string;
  ticket_id: string | null;
  comment_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  created_at: number;
}

export interface EventsTable {
  id: string;
  ticket_id: string;
  at: number;
  recorded_at: number;
  type: string;
  actor: string;
  payload: string;
  internal: number;
  /** The event's position in its ticket's audit chain and its chained hash (migration 0025, store/audit-chain.ts). */
  seq?: number | null;
  hash?: string | null;
  /** Strings erased from the payload (JSON ErasedLeaves), null when nothing was (migration 0025). */
  erased?: string | null;
}

/** A hash over every ticket's audit chain head at a moment (migration 0025). */
export interface AuditAnchorsTable {
  id: string;
  at: number;
  hash: string;
  tickets: number;
  events: number;
  /** JSON [[ticket id, seq], …] in ticket id order: the positions the hash covers. */
  heads: string;
  created_by: string;
}

export interface TimersTable {
  id: string;
  ticket_id: string;
  /** The engine's timer key (`sla:resolution:breach`, `idle:<rule>`, `unack:<rule>`). */
  kind: string;
  due_at: number;
  payload: string;
  created_at: number;
  /** Scheduler process holding the claim, and until when (PostgreSQL sharing). */
  lease_owner: string | null;
  lease_until: number | null;
}

export interface PoliciesTable {
  version: number;
  source: string;
  format: string;
  applied_at: number;
  applied_by: string;
  /** The version a rollback re-applied; null for an ordinary apply. */
  rollback_of: number | null;
}

/** One post-resolution review per ticket (migration 0013); `actions` is JSON. */
export interface TicketReviewsTable {
  ticket_id: string;
  root_cause: string;
  root_cause_detail: string;
  went_well: string;
  went_badly: string;
  actions: string;
  recorded_by: string;
  recorded_at: number;
  updated_by: string;
  updated_at: number;
  revision: number;
}

export interface OutboxTable {
  id: string;
  ticket_id: string | null;
  channel: string;
  recipient: string;
  template: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  last_error: string | null;
  /** Dispatcher columns (migration 0005): claim lease, stable message id, delivery time, merge target. */
  lease_until: number | null;
  message_id: string | null;
  sent_at: number | null;
  merged_into: string | null;
  /** What the sent message said (migration 0008): an identical one within the merge window is not sent again. */
  content_hash?: string | null;
  /** The comment a reply row delivers (migration 0009); null for policy notices. */
  comment_id: Generated<string | null>;
  /**
   * Channel and address or endpoint as one key (migration 0015, domain/outbox-destination.ts):
   * messages about a ticket go in order per destination, not across destinations.
   */
  destination: string;
  /** The dispatcher holding the claim (migration 0015): it renews its own short lease while it works. */
  lease_owner?: string | null;
}

/** Customer addresses copied on a ticket's conversation (migration 0009). */
export interface TicketCcsTable {
  ticket_id: string;
  address: string;
  added_at: number;
  added_by: string;
}

/** One row per delivery attempt of an outbox row (notify/). */
export interface NotificationDeliveriesTable {
  id: string;
  outbox_id: string;
  attempt: number;
  at: number;
  channel: string;
  recipient: string;
  message_id: string;
  outcome: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** An admin's override of a shipped notification template. */
export interface NotificationTemplatesTable {
  name: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  updated_at: number;
  updated_by: string;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  kind: string;
  secret: string;
  enabled: number;
  allow_private: number;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** Raw inbound messages (email, provider webhooks), kept as received. */
export interface InboundMessagesTable {
  id: string;
  channel: string;
  external_id: string;
  ticket_id: string | null;
  comment_id: string | null;
  sender: string;
  raw: Uint8Array;
  received_at: number;
  /** The provider intake source it came through, and the sender's own address or number there (migration 0009). */
  source: Generated<string | null>;
  reply_to: Generated<string | null>;
}

export interface CsatResponsesTable {
  ticket_id: string;
  rating: number;
  comment: string | null;
  received_at: number;
}

/** A web-form message held until its sender confirms the address (intake/intake-holds-repo.ts). */
export interface IntakeHoldsTable {
  id: string;
  email: string;
  name: string;
  subject: string;
  body: string;
  client_ip: string | null;
  /** SHA-256 of the emailed confirmation token; the token itself is never stored here. */
  token_digest: string;
  /** pending | confirmed | expired */
  status: string;
  ticket_id: string | null;
  created_at: number;
  expires_at: number;
  confirmed_at: number | null;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  counters: CountersTable;
  tickets: TicketsTable;
  comments: CommentsTable;
  ticket_ccs: TicketCcsTable;
  attachments: AttachmentsTable;
  events: EventsTable;
  timers: TimersTable;
  policies: PoliciesTable;
  ticket_reviews: TicketReviewsTable;
  outbox: OutboxTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_templates: NotificationTemplatesTable;
  webhook_endpoints: WebhookEndpointsTable;
  inbound_messages: InboundMessagesTable;
  csat_responses: CsatResponsesTable;
  intake_holds: IntakeHoldsTable;
  login_throttle: LoginThrottleTable;
  login_devices: LoginDevicesTable;
  intake_webhook_ids: IntakeWebhookIdsTable;
  drills: DrillsTable;
  drill_trainees: DrillTraineesTable;
  drill_tickets: DrillTicketsTable;
  drill_decisions: DrillDecisionsTable;
  password_links: PasswordLinksTable;
  risk_models: RiskModelsTable;
  organization_domains: OrganizationDomainsTable;
  audit_anchors: AuditAnchorsTable;
}

/** An escalation drill (migration 0018): a scenario run against one policy version. */
export interface DrillsTable {
  id: string;
  name: string;
  /** example | upload | history */
  source: string;
  /** The scenario's name (an example's id, `upload`, `history`), for the per-scenario score sheet. */
  scenario: string;
  policy_version: number;
  created_by: string;
  created_at: number;
}

export interface DrillTraineesTable {
  drill_id: string;
  user_id: string;
}

export interface DrillTicketsTable {
  id: string;
  drill_id: string;
  position: number;
  ref: string;
  /** JSON: the ticket's facts and timeline (domain/drills.ts ScenarioTicket without `expected`). */
  facts: string;
  /** JSON: ExpectedOutcome. */
  expected: string;
}

export interface DrillDecisionsTable {
  drill_ticket_id: string;
  user_id: string;
  drill_id: string;
  /** JSON: the decision as given (with its documentation). */
  decision: string;
  /** JSON: DecisionScore. */
  score: string;
  points: number;
  max_points: number;
  decided_at: number;
}

/** Mail domains of organizations (migration 0019): a new sender from the domain joins the organization. */
export interface OrganizationDomainsTable {
  domain: string;
  organization_id: string;
  created_at: number;
}

/** One-time set-password links (migration 0019): an invitation or an admin's reset; only the token's SHA-256 is kept. */
export interface PasswordLinksTable {
  id: string;
  user_id: string;
  token_digest: string;
  /** invite | reset */
  purpose: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Standard Webhooks ids seen per intake source, within the timestamp tolerance (replays are refused). */
export interface IntakeWebhookIdsTable {
  source: string;
  webhook_id: string;
  /** The request's webhook-timestamp, in ms. */
  signed_at: number;
}

/** The risk model in force is the highest version (migration 0020). */
export interface RiskModelsTable {
  version: number;
  model_id: string;
  /** The model file, JSON text. */
  model: string;
  /** Its RiskModelMeta, JSON text. */
  meta: string;
  activated_at: number;
  activated_by: string | null;
}
