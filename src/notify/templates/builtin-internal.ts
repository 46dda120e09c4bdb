/**
 * The internal notices Escalon ships (to agents, leads, managers). Subjects and bodies are
 * LiquidJS source; everything they show comes from the RenderContext. Their HTML is the text
 * escaped and wrapped (see render.ts), so no user text can become markup.
 */
import type { TemplateSource } from './template-source.ts';

const header = `Ticket {{ ticket.key }}: {{ ticket.subject }}
Priority {{ ticket.priority }} · status {{ ticket.status }} · team {{ ticket.team | default: "none" }} ({{ ticket.level | default: "no level" }})
Customer {{ customer.name }} <{{ customer.email }}>, {{ organization.name }} ({{ organization.tier }})
`;

const footer = `
Open the ticket: {{ ticket.url }}
{% if rule %}Sent by rule {{ rule }}.{% endif %}`;

export const INTERNAL_TEMPLATES: Record<string, TemplateSource> = {
  'sla-breach-internal': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] SLA breached{% if sla.metric %}: {{ sla.metric }}{% endif %} — {{ ticket.subject }}',
    text: `${header}
The {{ sla.metric | default: "SLA" }} target{% if sla.policy %} of SLA policy {{ sla.policy }}{% endif %} {% if sla.due_local %}was due at {{ sla.due_local }}{% else %}was due earlier{% endif %} and has been breached.
{% if escalation.to_level %}The ticket was escalated from {{ escalation.from_level | default: "—" }} to {{ escalation.to_level }} ({{ escalation.to_team }}).{% endif %}
${footer}`,
  },
  'sla-warning-internal': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] SLA at risk{% if sla.metric %}: {{ sla.metric }}{% endif %} — {{ ticket.subject }}',
    text: `${header}
The {{ sla.metric | default: "SLA" }} target {% if sla.due_local %}is due at {{ sla.due_local }}{% else %}is close to its due time{% endif %}. Act before it is breached.
${footer}`,
  },
  'technical-complexity-escalation': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Technical escalation to {{ escalation.to_team | default: "your team" }} — {{ ticket.subject }}',
    text: `${header}
This ticket needs specialised technical attention (reason: {{ escalation.reason | default: "technical_complexity" }}).

Summary
{{ documentation.summary | default: ticket.body }}

Steps already taken
{{ documentation.steps_taken | default: "None recorded." }}

Areas needing attention
{{ documentation.needs_attention | default: "Not stated; read the ticket history." }}
{% if documentation.supporting_documents.size > 0 %}
Attached: {{ documentation.supporting_documents | join: ", " }}{% endif %}
${footer}`,
  },
  'high-value-escalation': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] High-value customer at risk: {{ organization.name }}',
    text: `${header}
{{ organization.name }} is a {{ organization.tier }} customer{% if organization.contract_value %} with an annual contract value of {{ organization.contract_value }}{% endif %}.
Account manager: {{ organization.account_manager | default: "none assigned" }}

What the customer wrote
{{ ticket.body }}

Recommended actions
{% if escalation.recommended_actions.size > 0 %}{% for a in escalation.recommended_actions %}- {{ a }}
{% endfor %}{% else %}- Contact the customer personally today.
- Involve the account manager before any commercial answer.
- Agree on a resolution plan and a date.
{% endif %}${footer}`,
  },
  'compliance-legal-escalation': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Legal & compliance review needed — {{ ticket.subject }}',
    text: `${header}
This ticket was routed to legal & compliance (reason: {{ escalation.reason | default: "legal_compliance" }}).

Trigger points
{% if escalation.trigger_points.size > 0 %}{% for t in escalation.trigger_points %}- {{ t }}
{% endfor %}{% else %}- Flagged for legal review.
{% endif %}
Supporting documentation
{% if documentation.supporting_documents.size > 0 %}{% for d in documentation.supporting_documents %}- {{ d }}
{% endfor %}{% else %}- The ticket history and the customer's original message below.
{% endif %}
Original message
{{ ticket.body }}

Do not reply to the customer about legal matters before legal has reviewed.
${footer}`,
  },
  'idle-reminder': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] No activity — {{ ticket.subject }}',
    text: `${header}
Nobody has replied on this ticket for a while. Please give the customer an update.
${footer}`,
  },
  'unacknowledged-reminder': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Escalation not acknowledged — {{ ticket.subject }}',
    text: `${header}
The escalation to {{ escalation.to_team | default: "your team" }} ({{ escalation.to_level | default: "—" }}) has not been acknowledged yet. Acknowledge it or it moves further up.
${footer}`,
  },
  'escalation-manual': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Escalated to {{ escalation.to_team | default: "your team" }} — {{ ticket.subject }}',
    text: `${header}
The ticket was escalated by hand from {{ escalation.from_level | default: "—" }} to {{ escalation.to_level | default: "—" }} ({{ escalation.to_team | default: "—" }}), reason {{ escalation.reason | default: "not given" }}.

Summary
{{ documentation.summary | default: ticket.body }}

Steps already taken
{{ documentation.steps_taken | default: "None recorded." }}

Areas needing attention
{{ documentation.needs_attention | default: "Not stated; read the ticket history." }}
${footer}`,
  },
  'escalation-acknowledged': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Escalation acknowledged — {{ ticket.subject }}',
    text: `${header}
The escalation to {{ escalation.to_team | default: "the team" }} ({{ escalation.to_level | default: "—" }}) has been acknowledged; someone is on it.
${footer}`,
  },
  'customer-escalation-request': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] The customer asks for escalation — {{ ticket.subject }}',
    text: `${header}
{{ customer.name }} asked for this ticket to be escalated; it moved to {{ escalation.to_team | default: "your team" }} ({{ escalation.to_level | default: "—" }}).
{% if escalation.comment %}
What the customer wrote
{{ escalation.comment }}
{% endif %}
${footer}`,
  },
  'ticket-bounced-internal': {
    audience: 'internal',
    subject: '[{{ ticket.key }}] Back in {{ ticket.team | default: "your team" }} — {{ ticket.subject }}',
    text: `${header}
This ticket has come back to {{ ticket.team | default: "your team" }}, which it had already left: it is bouncing between teams. Please decide who owns it and where it is worked, so it stops moving back and forth.
${footer}`,
  },
};
