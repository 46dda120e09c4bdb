/**
 * Checklists (issue 13): a ticket escalated for a reason whose policy has a checklist gets it
 * (`checklist.attached`, internal, after the `ticket.escalated` event, in the same change);
 * staff tick and untick items (`checklist.item_checked` / `checklist.item_unchecked`, internal,
 * with actor and time); a person solving, closing or de-escalating the ticket while a required
 * item is open is refused (CHECKLIST_INCOMPLETE, every open item named). State is the fold of
 * those events (domain/playbooks.ts), so a checklist stays as attached when the policy changes.
 *
 * Choices: one checklist per reason per ticket (a second escalation for the same reason keeps the
 * first, ticks included; another reason adds its own); the engine's own status moves (closing a
 * solved ticket after its delay, a rule's `set: { status }`) are not refused — a rule has no one to
 * tell, the open items stay visible and count as open in the report; customers never see
 * checklists (internal events; the routes are staff-only).
 */
import type { Kysely } from 'kysely';
import { actorRef, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { attachedPayload, CHECKLIST_EVENTS, checklistFor, foldChecklists, openRequired, type ChecklistState } from '../domain/playbooks.ts';
import type { Policy } from '../domain/policy/types.ts';
import type { DraftEvent } from '../domain/ticket.ts';
import type { Database } from '../store/schema.ts';
import { appendTicketEvents } from './append-ticket-events.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';
import { inTransaction } from './unit-of-work.ts';

type Db = Kysely<Database>;

/** The ticket's checklists, folded from its checklist events. */
export async function loadChecklists(db: Db, ticketId: string): Promise<ChecklistState[]> {
  const rows = await db
    .selectFrom('events')
    .select(['type', 'at', 'actor', 'payload'])
    .where('ticket_id', '=', ticketId)
    .where('type', 'in', [...CHECKLIST_EVENTS])
    .orderBy('at')
    .orderBy('id')
    .execute();
  return foldChecklists(rows.map((r) => ({ type: r.type, at: r.at, actor: r.actor, payload: JSON.parse(r.payload) as Record<string, unknown> })));
}

/** Does this change ask (as a person) to solve, close or de-escalate? */
function endsWork(drafts: readonly DraftEvent[]): 'solve' | 'de-escalate' | null {
  for (const d of drafts) {
    if (d.type === 'ticket.deescalated') return 'de-escalate';
    if (d.type === 'status.changed' && d.payload.automatic !== true && (d.payload.to === 'solved' || d.payload.to === 'closed')) return 'solve';
  }
  return null;
}

/** Refuses a person's solve, close or de-escalation while required items are open. */
export async function guardChecklists(trx: Db, ticket: { id: string; key: string } | null, drafts: readonly DraftEvent[]): Promise<void> {
  if (!ticket) return;
  const what = endsWork(drafts);
  if (!what) return;
  const open = openRequired(await loadChecklists(trx, ticket.id));
  if (open.length === 0) return;
  const named = open.map((o) => `${o.title}: "${o.text}"`).join('; ');
  const verb = what === 'solve' ? 'solved or closed' : 'de-escalated';
  throw new DomainError(
    'CHECKLIST_INCOMPLETE',
    `ticket ${ticket.key} cannot be ${verb} while required checklist items are open — ${named}. Tick them on the ticket's checklist (PUT /api/v1/tickets/${ticket.key}/checklists/<checklist>/items/<item> with {"done": true}) and try again`,
    { ticket: ticket.key, open: open.map((o) => ({ checklist: o.checklist, item: o.item, text: o.text })) },
  );
}

/**
 * The events with a `checklist.attached` after each `ticket.escalated` whose reason has a
 * checklist in `policy` that the ticket does not have yet.
 */
export async function withChecklists(trx: Db, ticketId: string | null, policy: Policy, policyVersion: number, events: DraftEvent[]): Promise<DraftEvent[]> {
  const defs = policy.playbooks?.checklists ?? [];
  if (defs.length === 0 || !events.some((e) => e.type === 'ticket.escalated')) return events;
  const have = new Set(ticketId ? (await loadChecklists(trx, ticketId)).map((c) => c.reason) : []);
  const out: DraftEvent[] = [];
  for (const e of events) {
    out.push(e);
    if (e.type !== 'ticket.escalated' || typeof e.payload.escalation_id !== 'string') continue;
    const def = checklistFor(policy.playbooks, String(e.payload.reason));
    if (!def || have.has(def.reason)) continue;
    have.add(def.reason);
    out.push({
      type: 'checklist.attached',
      payload: attachedPayload(def, policyVersion, e.payload.escalation_id),
      internal: true,
      ...(e.at !== undefined && { at: e.at }),
      ...(e.actor !== undefined && { actor: e.actor }),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading and ticking (staff only: the routes say so)

export interface ChecklistView {
  checklist: string;
  title: string;
  attached_at: string;
  policy_version: number | null;
  escalation_id: string | null;
  items: Array<{ id: string; text: string; required: boolean; done: boolean; done_at: string | null; done_by: { id: string; name: string } | null }>;
  open_required: number;
}

async function present(db: Db, lists: ChecklistState[]): Promise<ChecklistView[]> {
  const ids = [...new Set(lists.flatMap((c) => c.items.flatMap((i) => (i.by?.startsWith('user:') ? [i.by.slice(5)] : []))))];
  const names = new Map<string, string>();
  if (ids.length > 0) for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()) names.set(u.id, u.name);
  return lists.map((c) => ({
    checklist: c.reason,
    title: c.title,
    attached_at: new Date(c.attachedAt).toISOString(),
    policy_version: c.policyVersion,
    escalation_id: c.escalationId,
    items: c.items.map((i) => ({
      id: i.id,
      text: i.text,
      required: i.required,
      done: i.done,
      done_at: i.at === null ? null : new Date(i.at).toISOString(),
      done_by: i.by === null ? null : { id: i.by.replace(/^user:/, ''), name: i.by.startsWith('user:') ? (names.get(i.by.slice(5)) ?? i.by) : i.by },
    })),
    open_required: c.items.filter((i) => i.required && !i.done).length,
  }));
}

export async function readTicketChecklists(deps: AppDeps, actor: Actor, ref: string): Promise<{ ticket: string; checklists: ChecklistView[] }> {
  const db = deps.store.db;
  const ticket = await loadVisibleTicket(db, actor, ref);
  return { ticket: ticket.key, checklists: await present(db, await loadChecklists(db, ticket.id)) };
}

/** Ticks (done) or unticks an item: one event each time the state changes; the same state again changes nothing. */
export async function setChecklistItem(
  deps: AppDeps,
  actor: Actor,
  ref: string,
  input: { checklist: string; item: string; done: boolean },
): Promise<{ ticket: string; checklists: ChecklistView[] }> {
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const ticket = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    const lists = await loadChecklists(trx, ticket.id);
    const list = lists.find((c) => c.reason === input.checklist);
    const item = list?.items.find((i) => i.id === input.item);
    if (!list || !item) {
      const has = lists.map((c) => `${c.reason} (${c.items.map((i) => i.id).join(', ')})`).join('; ');
      throw new DomainError(
        'CHECKLIST_ITEM_NOT_FOUND',
        list
          ? `checklist ${input.checklist} of ticket ${ticket.key} has no item "${input.item}"; its items: ${list.items.map((i) => i.id).join(', ')}`
          : `ticket ${ticket.key} has no checklist "${input.checklist}"; ${has ? `it has: ${has}` : 'it has none (a checklist is attached when the ticket is escalated for a reason the policy has one for)'}`,
        { ticket: ticket.key, checklists: lists.map((c) => ({ checklist: c.reason, items: c.items.map((i) => i.id) })) },
      );
    }
    if (item.done !== input.done) {
      const type = input.done ? 'checklist.item_checked' : 'checklist.item_unchecked';
      await appendTicketEvents(trx, uow, ticket, { at, recordedAt: at, actor: actorRef(actor) }, [
        { type, payload: { checklist: list.reason, item: item.id, text: item.text, required: item.required }, internal: true },
      ]);
    }
    return { ticket: ticket.key, checklists: await present(trx, await loadChecklists(trx, ticket.id)) };
  });
}
