/**
 * The names of the notification templates Escalon ships. Policy validation checks every template
 * a policy names against this registry (or the one the caller passes, e.g. with an admin's
 * overrides added); the template texts themselves live with the notifier.
 */
export const BUILTIN_TEMPLATE_NAMES = [
  'sla-breach-internal',
  'sla-warning-internal',
  'escalated-customer-update',
  'compliance-legal-escalation',
  'high-value-escalation',
  'technical-complexity-escalation',
  'idle-reminder',
  'unacknowledged-reminder',
  'ticket-bounced-internal',
  'customer-progress-update',
  'resolved-customer-survey',
  'ticket-received-customer',
  'escalation-manual',
  'escalation-acknowledged',
  'customer-escalation-request',
] as const;

export type BuiltinTemplateName = (typeof BUILTIN_TEMPLATE_NAMES)[number];
