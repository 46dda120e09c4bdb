/**
 * Macros (issue 13): the policy's canned replies, listed for staff and previewed against one
 * ticket (Liquid, strict; domain/playbooks.ts). Applying is the console's: it takes the rendered
 * (possibly edited) body, applies `set` through PATCH /tickets/:ref first — so a refused change
 * (CHECKLIST_INCOMPLETE, an invalid transition) posts nothing — then posts the reply with the
 * macro's visibility through POST /tickets/:ref/comments. `set.tags` are added to the ticket's tags.
 */
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { firstName, type MacroContext, renderMacroBody } from '../domain/playbooks.ts';
import type { MacroDef } from '../domain/policy/types.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';

async function activeMacros(deps: AppDeps): Promise<MacroDef[]> {
  const active = deps.live ? await deps.live.registry.refresh(deps.store.db) : null;
  return active?.policy.playbooks?.macros ?? [];
}

export async function listMacros(deps: AppDeps): Promise<MacroDef[]> {
  return activeMacros(deps);
}

export interface MacroPreview {
  macro: string;
  name: string;
  visibility: MacroDef['visibility'];
  body: string;
  set: MacroDef['set'];
}

export async function previewMacro(deps: AppDeps, actor: Actor, ref: string, id: string): Promise<MacroPreview> {
  const db = deps.store.db;
  const ticket = await loadVisibleTicket(db, actor, ref);
  const macros = await activeMacros(deps);
  const macro = macros.find((m) => m.id === id);
  if (!macro) {
    throw new DomainError('MACRO_NOT_FOUND', `the policy in force has no macro "${id}"; ${macros.length ? `its macros: ${macros.map((m) => m.id).join(', ')}` : 'it has none (add them under playbooks.macros)'}`, {
      macro: id,
      macros: macros.map((m) => m.id),
    });
  }
  const requester = await db.selectFrom('users').select(['name', 'email']).where('id', '=', ticket.requesterId).executeTakeFirst();
  const org = await db.selectFrom('organizations').select(['name', 'tier']).where('id', '=', ticket.organizationId).executeTakeFirst();
  const agent = await db.selectFrom('users').select(['name', 'email']).where('id', '=', actor.userId).executeTakeFirst();
  const ctx: MacroContext = {
    ticket: { key: ticket.key, subject: ticket.subject, status: ticket.status, priority: ticket.priority, tags: ticket.tags, team: ticket.team, level: ticket.level, url: `/tickets/${ticket.key}` },
    customer: { name: requester?.name ?? '', first_name: firstName(requester?.name ?? ''), email: requester?.email ?? '' },
    organization: { name: org?.name ?? '', tier: org?.tier ?? '' },
    agent: { name: agent?.name ?? '', first_name: firstName(agent?.name ?? ''), email: agent?.email ?? actor.email },
  };
  let body: string;
  try {
    body = renderMacroBody(macro.body, ctx);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0] ?? 'render failed';
    throw new DomainError('MACRO_RENDER_FAILED', `macro ${macro.id} did not render for ticket ${ticket.key}: ${reason}; fix its body in the policy (playbooks.macros)`, { macro: macro.id, reason });
  }
  return { macro: macro.id, name: macro.name, visibility: macro.visibility, body, set: macro.set };
}
