/** Playbooks (issue 13): a ticket's checklists, ticking items, the policy's macros and their preview. */
import { get, patch, post, put, type BodyOf, type ResponseOf, type Ticket } from '../api.ts';

type Checklists = ResponseOf<'get', '/tickets/{ticketRef}/checklists'>;
export type Checklist = Checklists['checklists'][number];
export type ChecklistItem = Checklist['items'][number];
export type Macro = ResponseOf<'get', '/macros'>['items'][number];
export type MacroSet = Macro['set'];
export type MacroPreview = ResponseOf<'post', '/tickets/{ticketRef}/macros/{macroId}/preview'>;

export const getChecklists = (ticketRef: string) => get('/tickets/{ticketRef}/checklists', { params: { path: { ticketRef } } }).then((r) => r.checklists);

export const setChecklistItem = (ticketRef: string, checklist: string, item: string, done: boolean) =>
  put('/tickets/{ticketRef}/checklists/{checklist}/items/{item}', { done }, { params: { path: { ticketRef, checklist, item } } }).then((r) => r.checklists);

export const listMacros = () => get('/macros').then((r) => r.items);

export const previewMacro = (ticketRef: string, macroId: string) => post('/tickets/{ticketRef}/macros/{macroId}/preview', {}, { params: { path: { ticketRef, macroId } } });

/** Applies a macro's `set` through the ticket update route (tags are added to the ticket's own). Nothing to apply: no request. */
export async function applyMacroSet(ticket: Ticket, set: MacroSet): Promise<void> {
  const changes: Omit<BodyOf<'patch', '/tickets/{ticketRef}'>, 'version'> = {};
  if (set.status && set.status !== ticket.status) changes.status = set.status;
  if (set.priority && set.priority !== ticket.priority) changes.priority = set.priority;
  const own = ticket.tags ?? []; // staff always see a ticket's tags
  if (set.tags && set.tags.some((tag) => !own.includes(tag))) changes.tags = [...new Set([...own, ...set.tags])];
  if (Object.keys(changes).length === 0) return;
  await patch('/tickets/{ticketRef}', { ...changes, version: ticket.version }, { params: { path: { ticketRef: ticket.key } } });
}
