/**
 * Builds a template's RenderContext for one outbox row from what the store knows: the ticket,
 * its requester and organization, the escalation that caused the notice (the latest
 * `ticket.escalated`, with its rule's explanation and documentation), the SLA due moments
 * from the latest `sla.applied`/`sla.resumed` events, the latest public agent reply and the
 * attachments' names. Everything read here is data handed to the template, never source.
 */
import type { Kysely } from 'kysely';
import { PolicyRegistry } from '../app/policy-registry.ts';
import { expectationsOf } from '../app/read-expectations.ts';
import { DateTime } from 'luxon';
import type { Database } from '../store/schema.ts';
import type { RenderContext } from './templates/render-context.ts';

type Db = Kysely<Database>;

/** The policy in force, for the expectations told to customers (re-read when a new version is applied). */
const policies = new PolicyRegistry();

export interface LoadedContext {
  ctx: RenderContext;
  ticketId: string;
  ticketKey: string;
  priority: string;
  status: string;
  requesterEmail: string;
  escalationId: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A moment as a person reads it in their zone, e.g. "Tue 1 Dec 2026 10:00 EST". */
export function localTime(instant: string | null, zone: string): string | null {
  if (instant === null) return null;
  const t = DateTime.fromISO(instant, { zone });
  return t.isValid ? t.toFormat('ccc d LLL yyyy HH:mm ZZZZ') : DateTime.fromISO(instant, { zone: 'UTC' }).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
}
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function triggerPoints(explanation: unknown): string[] {
  const saw = (explanation as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(saw)) return [];
  return saw
    .filter((s): s is { field: string; op: string; expected: unknown; actual: unknown; matched: boolean } => typeof s === 'object' && s !== null && (s as { matched?: unknown }).matched === true)
    .map((s) => `${s.field} ${s.op} ${JSON.stringify(s.expected)}: saw ${typeof s.actual === 'string' ? JSON.stringify(s.actual.slice(0, 120)) : JSON.stringify(s.actual)}`);
}

export async function loadRenderContext(
  db: Db,
  ticketId: string,
  recipient: { address: string; role: string },
  links: { ticketUrl: (key: string) => string; surveyUrl: (ticketId: string) => string | null },
  rule: string | null,
  /** Zone for times when the recipient has none of their own (their team calendar's, else UTC). */
  fallbackZone = 'UTC',
): Promise<LoadedContext | undefined> {
  const t = await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
  if (!t) return undefined;
  const [requester, org, events, reply, files, person] = await Promise.all([
    db.selectFrom('users').select(['name', 'email']).where('id', '=', t.requester_id).executeTakeFirst(),
    db.selectFrom('organizations').selectAll().where('id', '=', t.organization_id).executeTakeFirst(),
    db
      .selectFrom('events')
      .select(['type', 'payload', 'at'])
      .where('ticket_id', '=', ticketId)
      .where('type', 'in', ['ticket.escalated', 'sla.applied', 'sla.resumed', 'sla.warning', 'sla.breached'])
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(50)
      .execute(),
    db
      .selectFrom('comments')
      .select('body')
      .where('ticket_id', '=', ticketId)
      .where('public', '=', 1)
      .where('author_role', '!=', 'customer')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db.selectFrom('attachments').select('filename').where('ticket_id', '=', ticketId).orderBy('created_at').limit(20).execute(),
    db.selectFrom('users').select('time_zone').where('email', '=', recipient.address.toLowerCase()).executeTakeFirst(),
  ]);
  const zone = person?.time_zone ?? fallbackZone;
  const parsed = events.map((e) => ({ type: e.type, at: e.at, p: JSON.parse(e.payload) as Record<string, unknown> }));
  const esc = parsed.find((e) => e.type === 'ticket.escalated')?.p;
  const doc = (esc?.documentation ?? {}) as Record<string, unknown>;
  const lastSla = parsed.find((e) => e.type !== 'ticket.escalated');
  // Warnings and breaches carry no due moment: it is the one the clock's latest start or resumption set.
  const dueOf = (metric: unknown) => str(parsed.find((e) => (e.type === 'sla.applied' || e.type === 'sla.resumed') && e.p.metric === metric && str(e.p.due))?.p.due);
  const due = str(lastSla?.p.due) ?? (lastSla ? dueOf(lastSla.p.metric) : null);
  const resolution = dueOf('resolution');
  const ctx: RenderContext = {
    ticket: {
      key: t.key,
      subject: t.subject,
      body: t.body,
      priority: t.priority,
      status: t.status,
      channel: t.channel,
      category: t.category,
      tags: JSON.parse(t.tags) as string[],
      team: t.team,
      level: t.level,
      created_at: iso(t.created_at),
      url: links.ticketUrl(t.key),
    },
    customer: { name: requester?.name ?? '', email: requester?.email ?? '' },
    organization: { name: org?.name ?? '', tier: org?.tier ?? '', contract_value: org?.contract_value ?? null, account_manager: org?.account_manager ?? null },
    escalation: {
      reason: str(esc?.reason),
      from_level: str(esc?.from_level),
      to_level: str(esc?.to_level),
      to_team: str(esc?.to_team),
      rule: str(esc?.rule),
      trigger_points: triggerPoints(esc?.explanation),
      recommended_actions: [],
      comment: str(esc?.comment),
    },
    sla: {
      policy: str(lastSla?.p.policy),
      metric: str(lastSla?.p.metric),
      due_at: due,
      due_local: localTime(due, zone),
      expected_resolution: resolution,
      expected_resolution_local: localTime(resolution, zone),
    },
    documentation: {
      summary: str(doc.summary),
      steps_taken: str(doc.steps_taken),
      needs_attention: str(doc.needs_attention),
      supporting_documents: files.map((f) => f.filename),
    },
    recipient,
    latest_update: reply?.body ?? null,
    reply: null,
    survey_url: t.status === 'solved' || t.status === 'closed' ? links.surveyUrl(t.id) : null,
    rule,
    expectations: await expectationsOf(db, policies, t.id),
    confirmation_url: null,
  };
  return {
    ctx,
    ticketId: t.id,
    ticketKey: t.key,
    priority: t.priority,
    status: t.status,
    requesterEmail: requester?.email ?? '',
    escalationId: str(esc?.escalation_id),
  };
}
