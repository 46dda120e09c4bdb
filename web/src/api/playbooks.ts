/** Playbooks (issue 13): a ticket's checklists, ticking items, the policy's macros and their preview. */
import { get, patch, post, put, type Ticket } from '../api.ts';

export interface ChecklistItem {
  id: string;
  text: string;
  required: boolean;
  done: boolean;
  done_at: string | null;
  done_by: { id: string; name: string } | null;
}

export interface Checklist {
  checklist: string;
  title: string;
  attached_at: string;
  policy_version: number | null;
  escalation_id: string | null;
  items: ChecklistItem[];
  open_required: number;
}

export interface MacroSet {
  status?: Ticket['status'];
  priority?: Ticket['priority'];
  tags?: string[];
}

export interface Macro {
  id: string;
  name: string;
  visibility: 'public' | 'internal';
  body: string;
  set: MacroSet;
}

export interface MacroPreview {
  macro: string;
  name: string;
  visibility: 'public' | 'internal';
  body: string;
  set: MacroSet;
}

const t = (key: string) => `/tickets/${encodeURIComponent(key)}`;

export const getChecklists = (key: string) => get<{ ticket: string; checklists: Checklist[] }>(`${t(key)}/checklists`).then((r) => r.checklists);

export const setChecklistItem = (key: string, checklist: string, item: string, done: boolean) =>
  put<{ ticket: string; checklists: Checklist[] }>(`${t(key)}/checklists/${encodeURIComponent(checklist)}/items/${encodeURIComponent(item)}`, { done }).then((r) => r.checklists);

export const listMacros = () => get<{ items: Macro[] }>('/macros').then((r) => r.items);

export const previewMacro = (key: string, id: string) => post<MacroPreview>(`${t(key)}/macros/${encodeURIComponent(id)}/preview`);

/** Applies a macro's `set` through the ticket update route (tags are added to the ticket's own). Nothing to apply: no request. */
export async function applyMacroSet(ticket: Ticket, set: MacroSet): Promise<void> {
  const changes: Record<string, unknown> = {};
  if (set.status && set.status !== ticket.status) changes.status = set.status;
  if (set.priority && set.priority !== ticket.priority) changes.priority = set.priority;
  if (set.tags && set.tags.some((tag) => !ticket.tags.includes(tag))) changes.tags = [...new Set([...ticket.tags, ...set.tags])];
  if (Object.keys(changes).length === 0) return;
  await patch(t(ticket.key), { ...changes, version: ticket.version });
}
