/**
 * The one table from error code to HTTP status, and the one error body shape:
 * `{ "error": { "code", "message", "details" } }`. docs/errors.md lists every code.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode } from '../domain/errors.ts';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  INVALID_CURSOR: 400,
  INVALID_ASSIGNEE: 422,
  INVALID_REQUESTER: 422,
  INVALID_TRANSITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_REJECTED: 403,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  ROUTE_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  ORGANIZATION_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  ORGANIZATION_IN_USE: 409,
  VERSION_CONFLICT: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  ESCALATION_REFUSED: 409,
  DEESCALATION_REFUSED: 409,
  NOTHING_TO_ACKNOWLEDGE: 409,
  ACKNOWLEDGEMENT_NOT_ALLOWED: 403,
  UNKNOWN_TEAM: 422,
  UNKNOWN_LEVEL: 422,
  NO_POLICY: 409,
  POLICY_INVALID: 422,
  POLICY_TOO_COMPLEX: 422,
  DOCUMENTATION_REQUIRED: 422,
  RISK_MODEL_INVALID: 422,
  RISK_UNAVAILABLE: 409,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_INVALID: 422,
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  WEBHOOK_URL_REFUSED: 422,
  PASSWORD_LINK_INVALID: 404,
  PASSWORD_LINK_EXPIRED: 410,
  USER_INACTIVE: 409,
  WEBHOOK_ENDPOINT_EXISTS: 409,
  DOMAIN_TAKEN: 409,
  INTAKE_SOURCE_NOT_FOUND: 404,
  INTAKE_SIGNATURE_INVALID: 401,
  INTAKE_MAPPING_FAILED: 422,
  INTAKE_REFUSED: 422,
  INTAKE_HOLD_INVALID: 404,
  INTAKE_HOLD_EXPIRED: 410,
  SURVEY_LINK_INVALID: 404,
  SURVEY_NOT_OPEN: 409,
  SURVEY_ALREADY_ANSWERED: 409,
  POLICY_VERSION_NOT_FOUND: 404,
  REVIEW_NOT_OPEN: 409,
  WEAK_PASSWORD: 422,
  LOGIN_THROTTLED: 429,
  CURRENT_PASSWORD_WRONG: 422,
  CUSTOMER_FIELD_NOT_ALLOWED: 403,
  INTAKE_SIGNATURE_EXPIRED: 401,
  INTAKE_REPLAYED: 409,
  DRILL_NOT_FOUND: 404,
  DRILL_SCENARIO_INVALID: 422,
  DRILL_NOT_A_TRAINEE: 403,
  DRILL_ALREADY_DECIDED: 409,
  CHECKLIST_INCOMPLETE: 409,
  CHECKLIST_ITEM_NOT_FOUND: 404,
  MACRO_NOT_FOUND: 404,
  MACRO_RENDER_FAILED: 422,
  AUDIT_CHAIN_BROKEN: 409,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

/** Fastify's own client errors, by their FST_ codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
};

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) return { status: HTTP_STATUS[err.code], body: errorBody(err.code, err.message, err.details) };
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = fe.validationContext ?? 'request';
    const issues = fe.validation.map((v) => ({
      path: `${where}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`,
      message: v.message ?? 'invalid',
      ...(v.params && 'keys' in v.params ? { keys: (v.params as { keys?: unknown }).keys } : {}),
    }));
    const first = issues[0];
    return { status: 400, body: errorBody('VALIDATION_FAILED', first ? `${first.path}: ${first.message}` : 'invalid request', { issues }) };
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return { status: HTTP_STATUS[mapped], body: errorBody(mapped, fe.message) };
  if (fe.statusCode === 429) return { status: 429, body: errorBody('RATE_LIMITED', fe.message || 'too many requests; try again later') };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const status = fe.statusCode === 413 ? 413 : fe.statusCode === 415 ? 415 : 400;
    const code: ErrorCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'MALFORMED_REQUEST';
    return { status, body: errorBody(code, fe.message) };
  }
  if (databaseUnreachable(err)) {
    return {
      status: 503,
      body: errorBody('SERVICE_UNAVAILABLE', 'the database connection failed (the database restarted or is unreachable); try again shortly — a change sent just now may or may not have been saved, so read before sending it again', { retry_after_s: 1 }),
    };
  }
  return { status: 500, body: errorBody('INTERNAL', 'internal error; it has been logged') };
}

/** Connection-level failures of the database (node errno, PostgreSQL SQLSTATE class 08 and 57P01–57P03, pg's own messages). */
const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);
const CONNECTION_MESSAGE = /Connection terminated|connection error and is not queryable|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * Whether a request failed because the database went away (issue 16's fault tests: a PostgreSQL
 * restart, a cut network) rather than a bug: answered 503 with Retry-After so a client or proxy
 * retries, and not logged as an internal error.
 */
export function databaseUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_ERRNO.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGE.test(message)) return true;
  }
  return false;
}

export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toErrorBody(err);
  if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    // Name the limit: each route has its own (src/http/edge.ts).
    const limit = req.routeOptions.bodyLimit;
    body.error.message = `the body is larger than ${limit} bytes, the limit of ${req.method} ${req.routeOptions.url ?? req.url} (policy documents and long texts may use ESCALON_BODY_LIMIT)`;
    body.error.details = { limit };
  }
  if (status === 503 && databaseUnreachable(err)) {
    req.log.warn({ err: (err as Error).message }, 'request failed: the database is unreachable');
    void reply.header('retry-after', '1');
  } else if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
