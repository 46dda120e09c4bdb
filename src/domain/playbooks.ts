/**
 * Playbooks (issue 13), the pure part: macros rendered with Liquid against a small context, and
 * a ticket's checklists folded from its events (`checklist.attached`, `checklist.item_checked`,
 * `checklist.item_unchecked`). The event log is the only store of checklist state: what a ticket
 * got attached is kept as attached (items and texts are in the event), whatever later policy
 * versions say.
 */
import { Liquid } from 'liquidjs';
import type { ChecklistDef, PlaybooksDef } from './policy/types.ts';
import { distribution } from './reporting/stats.ts';

// ---------------------------------------------------------------------------------------------
// Macros

/** What a macro body can read. Every value is data; absent facts are null. */
export interface MacroContext {
  ticket: { key: string; subject: string; status: string; priority: string; tags: string[]; team: string | null; level: string | null; url: string };
  customer: { name: string; first_name: string; email: string };
  organization: { name: string; tier: string };
  agent: { name: string; first_name: string; email: string };
}

export function sampleMacroContext(): MacroContext {
  return {
    ticket: { key: 'ESC-1042', subject: 'Export fails', status: 'open', priority: 'high', tags: ['export'], team: 'specialists', level: 'L2', url: 'https://escalon.example.com/tickets/ESC-1042' },
    customer: { name: 'Casey Customer', first_name: 'Casey', email: 'casey@acme.example' },
    organization: { name: 'Acme Corp', tier: 'enterprise' },
    agent: { name: 'Alex Agent', first_name: 'Alex', email: 'alex@example.com' },
  };
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** Plain text (a comment), strict: an unknown variable or filter is an error; no file system, no include/render/layout. */
const engine = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true, timezoneOffset: 0, cache: false, templates: {} });
for (const tag of ['include', 'render', 'layout']) {
  engine.registerTag(tag, {
    parse() {
      throw new Error(`{% ${tag} %} is not available in macros: write the text into the macro`);
    },
    render() {
      throw new Error(`{% ${tag} %} is not available in macros`);
    },
  });
}

/** Renders a macro body; throws an Error with Liquid's message when it does not parse or render. */
export function renderMacroBody(body: string, ctx: MacroContext): string {
  const out = String(engine.parseAndRenderSync(body, ctx as unknown as Record<string, unknown>));
  return out.replace(/\n{3,}/g, '\n\n').trim();
}

/** Null when the body parses and renders against the sample context; else the reason, one line. */
export function checkMacroBody(body: string): string | null {
  try {
    renderMacroBody(body, sampleMacroContext());
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'does not parse';
  }
}

// ---------------------------------------------------------------------------------------------
// Checklists

export const CHECKLIST_EVENTS = ['checklist.attached', 'checklist.item_checked', 'checklist.item_unchecked'] as const;

export interface ChecklistItemState {
  id: string;
  text: string;
  required: boolean;
  done: boolean;
  /** Who ticked it (`user:<id>`) and when; null while open. */
  by: string | null;
  at: number | null;
}

export interface ChecklistState {
  /** The reason category it belongs to (one checklist per reason per ticket). */
  reason: string;
  title: string;
  attachedAt: number;
  policyVersion: number | null;
  escalationId: string | null;
  items: ChecklistItemState[];
}

/** The slice of a stored event the fold reads. */
export interface ChecklistEvent {
  type: string;
  at: number;
  actor: string;
  payload: Record<string, unknown>;
}

/** A ticket's checklists in attach order, from its checklist events in log order. */
export function foldChecklists(events: readonly ChecklistEvent[]): ChecklistState[] {
  const out: ChecklistState[] = [];
  for (const e of events) {
    if (e.type === 'checklist.attached') {
      const reason = String(e.payload.checklist);
      if (out.some((c) => c.reason === reason)) continue;
      const items = Array.isArray(e.payload.items) ? (e.payload.items as Array<{ id: string; text: string; required: boolean }>) : [];
      out.push({
        reason,
        title: String(e.payload.title ?? reason),
        attachedAt: e.at,
        policyVersion: typeof e.payload.policy_version === 'number' ? e.payload.policy_version : null,
        escalationId: typeof e.payload.escalation_id === 'string' ? e.payload.escalation_id : null,
        items: items.map((i) => ({ id: i.id, text: i.text, required: i.required === true, done: false, by: null, at: null })),
      });
      continue;
    }
    const list = out.find((c) => c.reason === e.payload.checklist);
    const item = list?.items.find((i) => i.id === e.payload.item);
    if (!item) continue;
    if (e.type === 'checklist.item_checked') Object.assign(item, { done: true, by: e.actor, at: e.at });
    else if (e.type === 'checklist.item_unchecked') Object.assign(item, { done: false, by: null, at: null });
  }
  return out;
}

/** Required items still open, as `Title: text` (for the error message) with their ids. */
export function openRequired(lists: readonly ChecklistState[]): Array<{ checklist: string; item: string; text: string; title: string }> {
  return lists.flatMap((c) => c.items.filter((i) => i.required && !i.done).map((i) => ({ checklist: c.reason, item: i.id, text: i.text, title: c.title })));
}

export function checklistFor(playbooks: PlaybooksDef, reason: string): ChecklistDef | undefined {
  return playbooks.checklists.find((c) => c.reason === reason);
}

/** The `checklist.attached` payload for a definition. */
export function attachedPayload(def: ChecklistDef, policyVersion: number, escalationId: string | null): Record<string, unknown> {
  return {
    checklist: def.reason,
    title: def.title,
    items: def.items.map((i) => ({ id: i.id, text: i.text, required: i.required })),
    policy_version: policyVersion,
    ...(escalationId !== null && { escalation_id: escalationId }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting: completion time per item (attach → first tick)

export interface ChecklistItemTiming {
  checklist: string;
  item: string;
  text: string;
  required: boolean;
  attached: number;
  done: number;
  /** Milliseconds from attach to the tick that left it done (the last tick; an untick reopens it). */
  medianMs: number | null;
  p90Ms: number | null;
}

/** Per (checklist, item): how many were attached, how many are done, and the attach → tick times. */
export function checklistItemTimings(lists: Iterable<ChecklistState>): ChecklistItemTiming[] {
  const acc = new Map<string, { checklist: string; item: string; text: string; required: boolean; attached: number; times: number[] }>();
  for (const c of lists) {
    for (const i of c.items) {
      const key = `${c.reason}\u0000${i.id}`;
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { checklist: c.reason, item: i.id, text: i.text, required: i.required, attached: 0, times: [] }));
      a.attached += 1;
      if (i.done && i.at !== null) a.times.push(Math.max(0, i.at - c.attachedAt));
    }
  }
  return [...acc.values()]
    .map((a) => {
      const d = distribution(a.times);
      return { checklist: a.checklist, item: a.item, text: a.text, required: a.required, attached: a.attached, done: d.count, medianMs: d.median, p90Ms: d.p90 };
    })
    .sort((x, y) => (y.medianMs ?? -1) - (x.medianMs ?? -1) || x.checklist.localeCompare(y.checklist) || x.item.localeCompare(y.item));
}
