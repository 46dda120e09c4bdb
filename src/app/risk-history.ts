/**
 * A database's ticket histories as a workload, for training a risk model on them (`escalon risk
 * train --from-db`, and the demo's own model). Each ticket's history
 * is rebuilt from its stored events into workload lines (the inputs people and systems made:
 * creation, comments, status and priority changes, assignments, tag and category updates,
 * escalations by hand; what the engine did by itself — SLA events, rule actions, automatic
 * status moves — it does again in the replay under the policy in force). The outcome is what
 * the stored events say: a `sla.breached` (target breach) or a `ticket.escalated` (target
 * escalation). Only solved or closed tickets train (an open ticket's outcome is not final);
 * the others are still replayed, for the requesters' profiles.
 */
import type { EngineInput, NewTicket } from '../domain/engine/types.ts';
import type { Priority, ReasonCategory, Status } from '../domain/policy/types.ts';
import type { RiskTarget } from '../domain/risk/api.ts';
import type { WorkloadLine } from '../domain/workload.ts';
import { latestPolicy } from '../store/policies-repo.ts';
import type { Store } from '../store/connect.ts';

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Made by the engine itself (a rule, a timer, the system): replayed, not read back. */
function byEngine(actor: string): boolean {
  return actor === 'system' || actor.startsWith('rule:');
}

export interface DbHistory {
  lines: WorkloadLine[];
  bad: Map<string, boolean>;
  /** Tickets whose outcome is final (solved or closed). */
  finished: Set<string>;
  policySource: { source: string; format: 'yaml' | 'json' } | null;
}

export async function readDbHistory(store: Store, target: RiskTarget): Promise<DbHistory> {
  const db = store.db;
  const users = new Map((await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.id, u.email]));
  const orgs = new Map(
    (await db.selectFrom('organizations').select(['id', 'tier', 'contract_value']).execute()).map((o) => [o.id, o]),
  );
  const tickets = new Map((await db.selectFrom('tickets').selectAll().execute()).map((t) => [t.id, t]));
  const comments = new Map((await db.selectFrom('comments').select(['id', 'body']).execute()).map((c) => [c.id, c.body]));
  const events = await db.selectFrom('events').select(['id', 'ticket_id', 'at', 'type', 'actor', 'payload']).orderBy('at').orderBy('id').execute();
  const email = (userRef: unknown): string | null => {
    if (typeof userRef !== 'string') return null;
    return users.get(userRef.replace(/^user:/, '')) ?? null;
  };
  const lines: WorkloadLine[] = [];
  const bad = new Map<string, boolean>();
  const finished = new Set<string>();
  for (const t of tickets.values()) {
    bad.set(t.key, false);
    if (t.status === 'solved' || t.status === 'closed') finished.add(t.key);
  }
  for (const e of events) {
    const t = tickets.get(e.ticket_id);
    if (!t) continue;
    const p = parseJson(e.payload);
    const at = Number(e.at);
    const actor = e.actor;
    if ((target === 'breach' && e.type === 'sla.breached') || (target === 'escalation' && e.type === 'ticket.escalated')) bad.set(t.key, true);
    let input: EngineInput | null = null;
    switch (e.type) {
      case 'ticket.created': {
        const org = orgs.get(t.organization_id);
        const ticket: NewTicket = {
          ref: t.key,
          priority: t.priority as Priority,
          organization: { id: t.organization_id, tier: org?.tier ?? 'standard', contract_value: org?.contract_value == null ? null : Number(org.contract_value) },
          subject: t.subject,
          body: t.body,
          channel: t.channel,
          tags: Array.isArray(p.tags) ? (p.tags as string[]) : [],
          category: typeof p.category === 'string' ? p.category : null,
          requester: users.get(t.requester_id) ?? t.requester_id,
          ...(typeof p.team === 'string' && { team: p.team }),
        };
        if (typeof p.priority === 'string') ticket.priority = p.priority as Priority;
        input = { type: 'ticket.created', ticket };
        break;
      }
      case 'comment.added':
        if (p.author_kind !== 'agent' && p.author_kind !== 'customer') break;
        input = {
          type: 'comment.added',
          author: p.author_kind,
          public: p.public === true,
          body: typeof p.comment_id === 'string' ? (comments.get(p.comment_id) ?? '') : '',
        };
        break;
      case 'status.changed':
        if (p.automatic === true || byEngine(actor) || typeof p.to !== 'string') break;
        input = { type: 'status.changed', status: p.to as Status };
        break;
      case 'priority.changed':
        if (byEngine(actor) || typeof p.to !== 'string') break;
        input = { type: 'priority.changed', priority: p.to as Priority };
        break;
      case 'ticket.assigned':
        if (byEngine(actor)) break;
        input = { type: 'ticket.assigned', assignee: email(p.to) ?? (typeof p.assignee === 'string' ? p.assignee : null) };
        break;
      case 'ticket.updated':
        if (p.field === 'tags' && Array.isArray(p.to)) input = { type: 'ticket.updated', tags: p.to as string[] };
        else if (p.field === 'category') input = { type: 'ticket.updated', category: typeof p.to === 'string' ? p.to : null };
        break;
      case 'ticket.escalated':
        if (byEngine(actor)) break;
        input =
          p.by_customer === true
            ? { type: 'ticket.escalated', reason: 'customer_request', byCustomer: true, comment: typeof p.comment === 'string' ? p.comment : '' }
            : {
                type: 'ticket.escalated',
                toLevel: typeof p.to_level === 'string' ? p.to_level : undefined,
                reason: (typeof p.reason === 'string' ? p.reason : 'other') as ReasonCategory,
              };
        break;
      case 'ticket.deescalated':
        if (byEngine(actor)) break;
        input = { type: 'ticket.deescalated', toLevel: typeof p.to_level === 'string' ? p.to_level : undefined, reason: String(p.reason ?? 'other') };
        break;
      case 'escalation.acknowledged':
        if (byEngine(actor)) break;
        input = { type: 'escalation.acknowledged' };
        break;
    }
    if (input) lines.push({ line: lines.length + 1, at, ref: t.key, input });
  }
  const policy = await latestPolicy(db);
  return { lines, bad, finished, policySource: policy ? { source: policy.source, format: policy.format } : null };
}
