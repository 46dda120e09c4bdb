/**
 * A template preview against a real ticket (issue 13): the draft (or the saved template)
 * rendered with the context the dispatcher would build for that ticket — the requester as
 * recipient, redacted for customers when the template's audience is customer. A template
 * that does not render gives its problems (part and line) instead; nothing is stored.
 */
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { loadRenderContext } from '../notify/render-context-loader.ts';
import { redactForCustomer } from '../notify/templates/redact.ts';
import { renderTemplate, TemplateRenderError, type RenderedMessage } from '../notify/templates/render.ts';
import { builtinTemplate, findTemplate } from '../notify/templates/template-store.ts';
import type { TemplateSource } from '../notify/templates/template-source.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export interface TemplateProblem {
  part: 'subject' | 'text' | 'html' | null;
  line: number | null;
  message: string;
}

export type Preview = { ok: true; ticketKey: string; audience: 'internal' | 'customer'; rendered: RenderedMessage } | { ok: false; ticketKey: string; audience: 'internal' | 'customer'; problems: TemplateProblem[] };

export async function previewTemplate(
  deps: AppDeps,
  actor: Actor,
  input: { name: string; ticketRef: string; draft?: { subject: string; text: string; html: string | null }; publicUrl: string },
): Promise<Preview> {
  const saved = await findTemplate(deps.store.db, input.name);
  if (!saved && !input.draft) throw new DomainError('TEMPLATE_NOT_FOUND', `no template '${input.name}'`, { name: input.name });
  const audience = builtinTemplate(input.name)?.audience ?? saved?.audience ?? 'internal';
  const source: TemplateSource = input.draft
    ? { audience, subject: input.draft.subject, text: input.draft.text, ...(input.draft.html !== null && { html: input.draft.html }) }
    : (saved as TemplateSource);
  const ticket = await loadVisibleTicket(deps.store.db, actor, input.ticketRef);
  const requester = await deps.store.db.selectFrom('users').select('email').where('id', '=', ticket.requesterId).executeTakeFirst();
  const base = input.publicUrl.replace(/\/+$/, '');
  const loaded = await loadRenderContext(
    deps.store.db,
    ticket.id,
    { address: requester?.email ?? '', role: audience === 'customer' ? 'requester' : 'recipient' },
    { ticketUrl: (key) => `${base}/tickets/${encodeURIComponent(key)}`, surveyUrl: () => null },
    null,
  );
  if (!loaded) throw new DomainError('TICKET_NOT_FOUND', `no ticket '${input.ticketRef}'`, { ticket: input.ticketRef });
  const ctx = audience === 'customer' ? redactForCustomer(loaded.ctx) : loaded.ctx;
  try {
    return { ok: true, ticketKey: ticket.key, audience, rendered: await renderTemplate(input.name, source, ctx) };
  } catch (err) {
    const message = (err as Error).message;
    const line = /line:\s*(\d+)/.exec(message);
    return {
      ok: false,
      ticketKey: ticket.key,
      audience,
      problems: [{ part: err instanceof TemplateRenderError ? err.part : null, line: line ? Number(line[1]) : null, message }],
    };
  }
}
