/**
 * The workload format of the contract (docs/contract.md) §6: one JSON object a line. Parsing is strict — an unknown
 * field, a bad instant or a missing field refuses the line, with its number and what is wrong.
 */
import { z } from 'zod';
import type { EngineInput } from './engine/types.ts';
import { PRIORITIES, REASONS, STATUSES, type Priority, type Status } from './policy/types.ts';

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

/**
 * One line of the workload. A line is checked by hand first (the same rules as the schema above,
 * without building a parse tree: most of the cost of a big workload); whatever that check does
 * not accept goes through the schema, which gives the refusal its exact words. Both give the same
 * WorkloadLine for every line they accept (test/domain/workload-fast-path.test.ts).
 */
export function parseWorkloadLine(text: string, line: number): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, line, message: `not valid JSON (${(e as Error).message})` };
  }
  const fast = fastLine(json, line);
  return fast ?? parseWithSchema(json, line);
}

/** The schema's reading of a line (the reference: every refusal's message comes from here). */
export function parseWithSchema(json: unknown, line: number): ParsedLine {
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

// The hand check. Each function answers "certainly valid" (and builds what the schema's output
// would give) or null ("let the schema decide"); it never refuses a line itself.

type Json = Record<string, unknown>;
const PRIORITY_SET: ReadonlySet<unknown> = new Set(PRIORITIES);
const STATUS_SET: ReadonlySet<unknown> = new Set(STATUSES);
const AUTHORS: ReadonlySet<unknown> = new Set(['agent', 'customer']);

const KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  'ticket.created': new Set(['at', 'ticket', 'type', 'priority', 'organization', 'subject', 'body', 'channel', 'tags', 'team', 'category', 'requester', 'assignee', 'group']),
  'comment.added': new Set(['at', 'ticket', 'type', 'author', 'public', 'body']),
  'status.changed': new Set(['at', 'ticket', 'type', 'status']),
  'priority.changed': new Set(['at', 'ticket', 'type', 'priority']),
  'ticket.assigned': new Set(['at', 'ticket', 'type', 'assignee', 'team', 'group']),
  'ticket.updated': new Set(['at', 'ticket', 'type', 'tags', 'category']),
  'ticket.escalated': new Set(['at', 'ticket', 'type', 'to_level', 'to_team', 'reason', 'documentation']),
  'ticket.deescalated': new Set(['at', 'ticket', 'type', 'to_level', 'to_team', 'reason']),
  'escalation.acknowledged': new Set(['at', 'ticket', 'type']),
};
const ORGANIZATION_KEYS: ReadonlySet<string> = new Set(['id', 'tier', 'contract_value']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const textOrNull = (v: unknown) => v === null || typeof v === 'string';
const texts = (v: unknown) => Array.isArray(v) && v.every(isText);

/** Only the listed keys (the schema's objects are strict). */
function onlyKeys(o: Json, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

function fastLine(json: unknown, line: number): ParsedLine | null {
  if (!isObject(json)) return null;
  const type = json.type;
  if (typeof type !== 'string') return null;
  const keys = KEYS[type];
  if (keys === undefined || !Object.hasOwn(KEYS, type) || !onlyKeys(json, keys)) return null;
  const at = instantMs(json.at);
  const ref = json.ticket;
  if (at === null || !isName(ref)) return null;
  const input = fastInput(type, json, ref);
  return input === null ? null : { ok: true, value: { line, at, ref, input } };
}

function fastInput(type: string, j: Json, ref: string): EngineInput | null {
  switch (type) {
    case 'ticket.created': {
      const org = j.organization;
      if (!PRIORITY_SET.has(j.priority) || !isObject(org) || !onlyKeys(org, ORGANIZATION_KEYS)) return null;
      const cv = org.contract_value;
      if (!isName(org.id) || !isName(org.tier) || !(cv === undefined || (typeof cv === 'number' && Number.isFinite(cv) && cv >= 0))) return null;
      if (!isText(j.subject) || !isText(j.body) || !isName(j.channel) || !optional(j.tags, texts) || !optional(j.team, isText)) return null;
      if (!optional(j.category, textOrNull) || !optional(j.requester, textOrNull) || !optional(j.assignee, textOrNull) || !optional(j.group, isName)) return null;
      const organization = cv === undefined ? { id: org.id, tier: org.tier } : { id: org.id, tier: org.tier, contract_value: cv };
      return {
        type: 'ticket.created',
        ticket: {
          ref,
          priority: j.priority as Priority,
          organization,
          subject: j.subject,
          body: j.body,
          channel: j.channel,
          tags: j.tags === undefined ? undefined : [...(j.tags as string[])],
          team: j.team as string | undefined,
          category: (j.category as string | null | undefined) ?? null,
          requester: (j.requester as string | null | undefined) ?? null,
          assignee: (j.assignee as string | null | undefined) ?? null,
          ...(j.group !== undefined && { group: j.group as string }),
        },
      };
    }
    case 'comment.added':
      if (!AUTHORS.has(j.author) || typeof j.public !== 'boolean' || !isText(j.body)) return null;
      return { type: 'comment.added', author: j.author as 'agent' | 'customer', public: j.public, body: j.body };
    case 'status.changed':
      return STATUS_SET.has(j.status) ? { type: 'status.changed', status: j.status as Status } : null;
    case 'priority.changed':
      return PRIORITY_SET.has(j.priority) ? { type: 'priority.changed', priority: j.priority as Priority } : null;
    case 'ticket.assigned':
      if (!textOrNull(j.assignee) || !optional(j.team, isText) || !optional(j.group, isName)) return null;
      return { type: 'ticket.assigned', assignee: j.assignee as string | null, team: j.team as string | undefined, ...(j.group !== undefined && { group: j.group as string }) };
    case 'ticket.updated':
      if (!optional(j.tags, texts) || !optional(j.category, textOrNull)) return null;
      return { type: 'ticket.updated', tags: j.tags === undefined ? undefined : [...(j.tags as string[])], category: j.category as string | null | undefined };
    default:
      // Escalations, de-escalations and acknowledgements are rare: the schema reads them.
      return null;
  }
}

/** The instant of `at` in ms, or null when the schema might refuse it. */
function instantMs(v: unknown): number | null {
  if (typeof v !== 'string' || !INSTANT.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}
