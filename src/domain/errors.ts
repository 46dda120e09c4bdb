/**
 * The one error type the core throws for refused requests. `code` is stable (clients match on
 * it; docs/errors.md lists every code) and the HTTP layer maps it to a status in one table.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'ROUTE_NOT_FOUND',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TICKET_NOT_FOUND',
  'ORGANIZATION_NOT_FOUND',
  'USER_NOT_FOUND',
  'TOKEN_NOT_FOUND',
  'ATTACHMENT_NOT_FOUND',
  'INVALID_TRANSITION',
  'INVALID_CURSOR',
  'INVALID_ASSIGNEE',
  'INVALID_REQUESTER',
  'EMAIL_TAKEN',
  'ORGANIZATION_IN_USE',
  'VERSION_CONFLICT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
  // the HTTP edge (docs/errors.md; docs/security.md, "Forged requests, headers, cookies")
  'CSRF_REJECTED',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  // notifications and intake (docs/errors.md, "Notifications and intake")
  'TEMPLATE_NOT_FOUND',
  'TEMPLATE_INVALID',
  'WEBHOOK_ENDPOINT_NOT_FOUND',
  'WEBHOOK_URL_REFUSED',
  // administration (docs/errors.md, "Administration")
  'PASSWORD_LINK_INVALID',
  'PASSWORD_LINK_EXPIRED',
  'USER_INACTIVE',
  'WEBHOOK_ENDPOINT_EXISTS',
  'DOMAIN_TAKEN',
  'INTAKE_SOURCE_NOT_FOUND',
  'INTAKE_SIGNATURE_INVALID',
  'INTAKE_MAPPING_FAILED',
  'INTAKE_REFUSED',
  'INTAKE_HOLD_INVALID',
  'INTAKE_HOLD_EXPIRED',
  'SURVEY_LINK_INVALID',
  'SURVEY_NOT_OPEN',
  'SURVEY_ALREADY_ANSWERED',
  // the live engine (docs/errors.md, "Escalation and policy")
  'ESCALATION_REFUSED',
  'DEESCALATION_REFUSED',
  'NOTHING_TO_ACKNOWLEDGE',
  'ACKNOWLEDGEMENT_NOT_ALLOWED',
  'UNKNOWN_TEAM',
  'UNKNOWN_LEVEL',
  'NO_POLICY',
  'POLICY_INVALID',
  'POLICY_TOO_COMPLEX',
  'DOCUMENTATION_REQUIRED',
  // risk prediction (docs/errors.md, "Risk prediction")
  'RISK_MODEL_INVALID',
  'RISK_UNAVAILABLE',
  // policy history and reviews (docs/errors.md, "Policy history and reviews")
  'POLICY_VERSION_NOT_FOUND',
  'REVIEW_NOT_OPEN',
  // accounts and sign-in (docs/errors.md, "Accounts and sign-in")
  'WEAK_PASSWORD',
  'LOGIN_THROTTLED',
  'CURRENT_PASSWORD_WRONG',
  // customer fields and signed intake (docs/errors.md, "Customers and signed webhooks")
  'CUSTOMER_FIELD_NOT_ALLOWED',
  'INTAKE_SIGNATURE_EXPIRED',
  'INTAKE_REPLAYED',
  // escalation drills (docs/errors.md, "Escalation drills")
  'DRILL_NOT_FOUND',
  'DRILL_SCENARIO_INVALID',
  'DRILL_NOT_A_TRAINEE',
  'DRILL_ALREADY_DECIDED',
  // playbooks: checklists and macros (docs/errors.md, "Playbooks")
  'CHECKLIST_INCOMPLETE',
  'CHECKLIST_ITEM_NOT_FOUND',
  'MACRO_NOT_FOUND',
  'MACRO_RENDER_FAILED',
  // audit and personal data (docs/errors.md, "Audit and personal data")
  'AUDIT_CHAIN_BROKEN',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
