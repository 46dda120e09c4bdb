/** The wire shapes: zod schemas used to validate requests, serialize responses and write the OpenAPI document. */
import { z } from 'zod';
import { ROLES } from '../auth/roles.ts';
import { PRIORITIES, STATUSES } from '../domain/policy/types.ts';

export const instant = z.string().describe('ISO-8601 UTC instant');
const level3 = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const tag = z.string().min(1).max(64).regex(/^[^\s,]+$/, 'a tag has no spaces or commas');

export const ticketRefParams = z.strictObject({ ticketRef: z.string().min(1).max(64).describe('ticket key (ESC-12) or id') });

export const ticketOut = z.object({
  id: z.string(),
  key: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  impact: z.number().int().nullable(),
  urgency: z.number().int().nullable(),
  category: z.string().nullable(),
  channel: z.string(),
  requester_id: z.string(),
  organization_id: z.string(),
  // Absent for a customer unless the policy's customer_fields.public lists them (docs/policy.md);
  // tags too: rules and staff tag tickets for triage ("churn-risk").
  tags: z.array(z.string()).optional(),
  assignee_id: z.string().nullable().optional(),
  owner_id: z.string().nullable().optional(),
  team: z.string().nullable().optional(),
  level: z.string().nullable().optional(),
  created_at: instant,
  updated_at: instant,
  solved_at: instant.nullable(),
  version: z.number().int(),
  reassignments: z.number().int(),
  team_moves: z.number().int(),
  bounces: z.number().int(),
  reopens: z.number().int(),
});

export const createTicketIn = z.strictObject({
  subject: z.string().trim().min(1).max(500),
  body: z.string().min(1).max(100_000),
  channel: z.string().min(1).max(32).optional().describe('staff: how the request came in: phone, chat, walk-in, email, web (or another word); a customer never gives it'),
  priority: z.enum(PRIORITIES).optional(),
  impact: level3.optional(),
  urgency: level3.optional(),
  category: z.string().min(1).max(100).optional(),
  tags: z.array(tag).max(50).optional(),
  team: z.string().min(1).max(100).optional(),
  requester_id: z.string().min(1).max(64).optional(),
  requester: z
    .strictObject({ email: z.email().max(254), name: z.string().trim().max(200).optional() })
    .optional()
    .describe('staff: the customer by email; an address without an account becomes a new customer (no password) in organization_id, else the organization of the customers writing from that domain, else the intake organization'),
  organization_id: z.string().min(1).max(64).optional(),
  assignee_id: z.string().min(1).max(64).optional(),
  attachment_ids: z.array(z.string().min(1).max(64)).max(20).optional().describe('your pending uploads (POST /api/v1/attachments) for the opening message'),
});

export const patchTicketIn = z
  .strictObject({
    status: z.enum(STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    impact: level3.optional(),
    urgency: level3.optional(),
    tags: z.array(tag).max(50).optional(),
    assignee_id: z.string().min(1).max(64).nullable().optional(),
    version: z.number().int().min(1).optional().describe('apply only if the ticket is still at this version'),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), { message: 'nothing to change: give status, priority, impact+urgency, tags or assignee_id' });

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(200)
    .transform((s) => s.split(',').filter((x) => x !== ''))
    .pipe(z.array(z.enum(values)));

export const listTicketsQuery = z.strictObject({
  status: csv(STATUSES).optional().describe('comma-separated statuses'),
  priority: csv(PRIORITIES).optional().describe('comma-separated priorities'),
  team: z.string().min(1).max(1000).optional().describe('a team id, or several comma-separated'),
  assignee: z.string().min(1).max(64).optional().describe("a user id, 'me' or 'none'"),
  organization: z.string().min(1).max(64).optional(),
  q: z.string().min(1).max(200).optional().describe('text in subject or body, or a ticket key'),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ticketPage = z.object({ items: z.array(ticketOut), next_cursor: z.string().nullable() });

export const attachmentOut = z.object({
  id: z.string(),
  ticket_id: z.string().nullable().describe('null while the upload is pending'),
  comment_id: z.string().nullable().describe("null for the ticket's opening message (or while pending)"),
  filename: z.string(),
  content_type: z.string().describe('sniffed from the content, not taken from the client'),
  size: z.number().int(),
  sha256: z.string(),
  uploaded_by: z.string(),
  created_at: instant,
  url: z.string().describe('GET it to download'),
});
export const attachmentParams = z.strictObject({ attachmentId: z.string().min(1).max(64) });

export const commentOut = z.object({
  id: z.string(),
  ticket_id: z.string(),
  author_id: z.string(),
  author_role: z.string(),
  public: z.boolean(),
  body: z.string(),
  created_at: instant,
  attachments: z.array(attachmentOut),
  /** A staff reply's delivery to each customer recipient (staff see it; customers get []). */
  delivery: z.array(
    z.object({
      recipient: z.string(),
      channel: z.string(),
      state: z.enum(['queued', 'sent', 'failed', 'cancelled']),
      error: z.string().nullable(),
      attempts: z.number().int(),
      sent_at: instant.nullable(),
    }),
  ),
});
/** A customer's message to a closed ticket: it opened a follow-up ticket instead of a comment. */
export const followUpOut = z.object({ follow_up: z.object({ ticket: z.string(), of: z.string() }) });
export const addCommentIn = z.strictObject({
  body: z.string().min(1).max(100_000),
  public: z.boolean().default(true),
  attachment_ids: z.array(z.string().min(1).max(64)).max(20).optional().describe('your pending uploads (POST /api/v1/attachments) to attach'),
});

export const eventOut = z.object({
  id: z.string(),
  ticket_id: z.string(),
  at: instant,
  recorded_at: instant,
  type: z.string(),
  actor: z.string(),
  internal: z.boolean(),
  payload: z.record(z.string(), z.unknown()),
});

export const orgIdParams = z.strictObject({ orgId: z.string().min(1).max(64) });
export const organizationOut = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.string(),
  contract_value: z.number().nullable(),
  account_manager: z.string().nullable(),
  created_at: instant,
  mail_domains: z.array(z.string()).describe('new senders from these mail domains join the organization at intake'),
});
export const createOrganizationIn = z.strictObject({
  name: z.string().trim().min(1).max(200),
  tier: z.string().min(1).max(50),
  contract_value: z.number().nonnegative().max(1e12).nullable().optional(),
  account_manager: z.string().min(1).max(200).nullable().optional(),
  mail_domains: z.array(z.string().max(253)).max(50).optional().describe('e.g. ["initech.example"]: new senders from these domains join this organization (DOMAIN_TAKEN when another has one)'),
});
export const patchOrganizationIn = createOrganizationIn.partial().refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

export const userIdParams = z.strictObject({ userId: z.string().min(1).max(64) });
export const userOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  organization_id: z.string().nullable(),
  active: z.boolean(),
  created_at: instant,
  phone: z.string().nullable(),
  time_zone: z.string().nullable(),
});
export const createUserIn = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
  organization_id: z.string().min(1).max(64).nullable().optional(),
  password: z.string().min(1).max(200).optional().describe('at least 12 characters, not only spaces, not a common password (WEAK_PASSWORD otherwise)'),
  phone: z.string().max(32).nullable().optional().describe('E.164, e.g. +15551234567 (for SMS notices)'),
  time_zone: z.string().max(64).nullable().optional().describe('IANA zone, e.g. Europe/Berlin (times in notices)'),
  invite: z.boolean().optional().describe('true: no password; a one-time set-password link is emailed to the user (valid 72 h)'),
});
export const patchUserIn = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional(),
    password: z.string().min(1).max(200).optional().describe('at least 12 characters, not only spaces, not a common password (WEAK_PASSWORD otherwise)'),
    phone: z.string().max(32).nullable().optional(),
    time_zone: z.string().max(64).nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

export const tokenIdParams = z.strictObject({ tokenId: z.string().min(1).max(64) });
export const tokenOut = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  created_at: instant,
  last_used_at: instant.nullable(),
  revoked_at: instant.nullable(),
  revoked_reason: z.enum(['revoked', 'password_changed', 'password_reset', 'deactivated']).nullable().describe('why it stopped working: revoked by an admin, or its user\'s password changed / was reset, or its user was deactivated'),
});
export const createTokenIn = z.strictObject({ user_id: z.string().min(1).max(64), name: z.string().trim().min(1).max(100) });
export const createdTokenOut = z.object({ token: tokenOut, secret: z.string().describe('shown once; store it now') });

export const loginIn = z.strictObject({ email: z.string().min(3).max(254), password: z.string().min(1).max(200) });
export const changePasswordIn = z.strictObject({
  current_password: z.string().min(1).max(200),
  new_password: z.string().min(1).max(200).describe('at least 12 characters, not only spaces, not a common password (WEAK_PASSWORD otherwise)'),
});
export const passwordChangedOut = z.object({
  sessions_ended: z.number().int().describe('your other sessions, signed out now'),
  tokens_revoked: z.number().int().describe('your API tokens, revoked now (reason password_changed)'),
  session_rotated: z.boolean().describe('this session was replaced by a new one (new cookie); false for a call with an API token'),
});
export const meOut = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES), organization_id: z.string().nullable() });
