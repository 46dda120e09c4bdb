/**
 * What a customer's message may show. Internal notices never go to customers; customer
 * messages are rendered from a context stripped of internal addresses, rule names and the
 * conditions rules saw, so even an admin's careless template cannot leak them.
 */
import type { RenderContext } from './render-context.ts';

export function redactForCustomer(ctx: RenderContext): RenderContext {
  return {
    ...ctx,
    organization: { ...ctx.organization, account_manager: null },
    escalation: { ...ctx.escalation, rule: null, trigger_points: [], recommended_actions: [], to_team: null },
    documentation: { summary: null, steps_taken: null, needs_attention: null, supporting_documents: [] },
    // Routing is not the customer's (issue 12): no team, no level; the escalation notice names the level it reached (escalation.to_level).
    ticket: { ...ctx.ticket, team: null, level: null },
    rule: null,
  };
}
