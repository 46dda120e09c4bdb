/**
 * The workload format of the contract (docs/contract.md) §6: one JSON object a line. Parsing is strict — an unknown
 * field, a bad instant or a missing field refuses the line, with its number and what is wrong.
 */
import { z } from 'zod';
import type { EngineInput } from './engine/types.ts';
import { PRIORITIES, REASONS, STATUSES } from './policy/types.ts';

export interface WorkloadLine {
  line: number;
  at: number;
  ref: string;
  input: EngineInput;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const instant = z
  .string()
  .regex(INSTANT, 'must be ISO-8601 with an offset, e.g. 2026-12-01T10:00:00Z')
  .refine((s) => Number.isFinite(Date.parse(s)), 'is not a valid instant');
const base = { at: instant, ticket: z.string().min(1) };
const documentation = z.strictObject({
  summary: z.string(),
  steps_taken: z.string(),
  needs_attention: z.string(),
});

const lineSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('ticket.created'),
    priority: z.enum(PRIORITIES),
    organization: z.strictObject({
      id: z.string().min(1),
      tier: z.string().min(1),
      contract_value: z.number().nonnegative().optional(),
    }),
    subject: z.string(),
    body: z.string(),
    channel: z.string().min(1),
    tags: z.array(z.string()).optional(),
    team: z.string().optional(),
    category: z.string().nullable().optional(),
    requester: z.string().nullable().optional(),
    assignee: z.string().nullable().optional(),
    group: z.string().min(1).optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('comment.added'),
    author: z.enum(['agent', 'customer']),
    public: z.boolean(),
    body: z.string(),
  }),
  z.strictObject({ ...base, type: z.literal('status.changed'), status: z.enum(STATUSES) }),
  z.strictObject({ ...base, type: z.literal('priority.changed'), priority: z.enum(PRIORITIES) }),
  z.strictObject({
    ...base,
    type: z.literal('ticket.assigned'),
    assignee: z.string().nullable(),
    team: z.string().optional(),
    group: z.string().min(1).optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('ticket.updated'),
    tags: z.array(z.string()).optional(),
    category: z.string().nullable().optional(),
  }),
  z
    .strictObject({
      ...base,
      type: z.literal('ticket.escalated'),
      to_level: z.string().optional(),
      to_team: z.string().optional(),
      reason: z.enum(REASONS),
      documentation: documentation.optional(),
    })
    .refine((l) => !(l.to_level && l.to_team), 'give to_level or to_team, not both'),
  z.strictObject({
    ...base,
    type: z.literal('ticket.deescalated'),
    to_level: z.string().optional(),
    to_team: z.string().optional(),
    reason: z.string().min(1),
  }),
  z.strictObject({ ...base, type: z.literal('escalation.acknowledged') }),
]);

export type ParsedLine = { ok: true; value: WorkloadLine } | { ok: false; line: number; message: string };

export function parseWorkloadLine(text: string, line: number): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, line, message: `not valid JSON (${(e as Error).message})` };
  }
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') + ': ' : ''}${i.message}`)
      .join('; ');
    return { ok: false, line, message };
  }
  const l = parsed.data;
  const at = Date.parse(l.at);
  const ref = l.ticket;
  let input: EngineInput;
  switch (l.type) {
    case 'ticket.created':
      input = {
        type: 'ticket.created',
        ticket: {
          ref,
          priority: l.priority,
          organization: l.organization,
          subject: l.subject,
          body: l.body,
          channel: l.channel,
          tags: l.tags,
          team: l.team,
          category: l.category ?? null,
          requester: l.requester ?? null,
          assignee: l.assignee ?? null,
          ...(l.group !== undefined && { group: l.group }),
        },
      };
      break;
    case 'comment.added':
      input = { type: 'comment.added', author: l.author, public: l.public, body: l.body };
      break;
    case 'status.changed':
      input = { type: 'status.changed', status: l.status };
      break;
    case 'priority.changed':
      input = { type: 'priority.changed', priority: l.priority };
      break;
    case 'ticket.assigned':
      input = { type: 'ticket.assigned', assignee: l.assignee, team: l.team, ...(l.group !== undefined && { group: l.group }) };
      break;
    case 'ticket.updated':
      input = { type: 'ticket.updated', tags: l.tags, category: l.category };
      break;
    case 'ticket.escalated':
      // A customer_request without a target is the customer's own request (policy customer_requests).
      input =
        l.reason === 'customer_request' && !l.to_level && !l.to_team
          ? { type: 'ticket.escalated', reason: l.reason, byCustomer: true, comment: l.documentation?.summary ?? '', actor: 'customer' }
          : { type: 'ticket.escalated', toLevel: l.to_level, toTeam: l.to_team, reason: l.reason, documentation: l.documentation };
      break;
    case 'ticket.deescalated':
      input = { type: 'ticket.deescalated', toLevel: l.to_level, toTeam: l.to_team, reason: l.reason };
      break;
    case 'escalation.acknowledged':
      input = { type: 'escalation.acknowledged' };
      break;
  }
  return { ok: true, value: { line, at, ref, input } };
}
