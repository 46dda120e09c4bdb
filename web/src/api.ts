/** The console's only door to the server: fetch with the session cookie, typed results, the API's error shape. */
import createClient from 'openapi-fetch';
import type { PolicyChanges, SectionChanges } from '../../src/domain/policy/policy-diff.ts';
import type { paths } from './api-schema.d.ts';
export type Role = 'admin' | 'manager' | 'lead' | 'agent' | 'customer';
export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const REASONS = ['technical_complexity', 'financial_high_value', 'legal_compliance', 'customer_request', 'sla_risk', 'authority_exceeded', 'other'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Reason = (typeof REASONS)[number];

// The shapes the server answers with, taken from the generated document (never written by hand).
type Item<T> = T extends { items: Array<infer I> } ? I : never;
export type Me = ResponseOf<'get', '/me'>;
/** A ticket as lists show it. */
export type Ticket = Item<ResponseOf<'get', '/tickets'>>;
/** GET /tickets/:ref: a ticket with what the customer may expect, from the SLA clocks. */
export type TicketDetail = ResponseOf<'get', '/tickets/{ticketRef}'>;
export type Expectations = TicketDetail['expectations'];
export type SupportHours = ResponseOf<'get', '/support-hours'>;
export type Comment = Item<ResponseOf<'get', '/tickets/{ticketRef}/comments'>>;
export type ReplyDelivery = Comment['delivery'][number];
export type Attachment = Item<ResponseOf<'get', '/tickets/{ticketRef}/attachments'>>;
export type TicketEvent = Item<ResponseOf<'get', '/tickets/{ticketRef}/events'>>;
/** One outgoing message of a ticket and its delivery state (staff). */
export type TicketNotification = Item<ResponseOf<'get', '/tickets/{ticketRef}/notifications'>>;
export type SlaView = ResponseOf<'get', '/tickets/{ticketRef}/sla'>;
export type ClockView = SlaView['clocks'][number];
/** GET /tickets/:ref/requester (staff only). */
export type RequesterView = ResponseOf<'get', '/tickets/{ticketRef}/requester'>;
/** What a customer is told after asking for escalation. */
export type CustomerRequestOutcome = NonNullable<ResponseOf<'post', '/tickets/{ticketRef}/escalate'>['request']>;
export type Organization = ResponseOf<'get', '/organizations/{orgId}'>;
export type User = Item<ResponseOf<'get', '/directory'>>;
export type PolicyDoc = ResponseOf<'get', '/policy'>;

/** What a policy change changes, section by section (a plan, or a diff of two versions): the server's own types. */
export type { PolicyChanges, SectionChanges };

export type PolicyPlan = ResponseOf<'post', '/policy/plan'>;

export interface Problem {
  path?: string;
  line?: number | null;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
  /** The policy validator's problems (422 POLICY_INVALID), or none. */
  get problems(): Problem[] {
    const p = this.details.problems;
    return Array.isArray(p) ? (p as Problem[]) : [];
  }
}

/** Called when any request answers 401: the session is gone. */
let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

// ---- The typed client ---------------------------------------------------------------------
// web/src/api-schema.d.ts is generated from the server's OpenAPI document (`npm run gen:api`);
// its paths are re-keyed without the /api/v1 prefix, so calls name '/tickets/{ticketRef}'.

/** The API's paths without their `/api/v1` prefix. */
export type ApiPaths = { [K in keyof paths as K extends `/api/v1${infer R}` ? R : never]: paths[K] };
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The paths that take `M`. */
export type PathsFor<M extends Method> = { [P in keyof ApiPaths]: ApiPaths[P] extends Record<M, { responses: unknown }> ? P : never }[keyof ApiPaths];
type Operation<M extends Method, P extends PathsFor<M>> = ApiPaths[P] extends Record<M, infer O> ? O : never;
/** The JSON body of a 2xx answer of `M P` (`unknown` where the route declares no response schema). */
export type ResponseOf<M extends Method, P extends PathsFor<M>> = Operation<M, P> extends { responses: infer R }
  ? { [C in keyof R]: C extends 200 | 201 | 202 ? (R[C] extends { content: { 'application/json': infer J } } ? J : unknown) : C extends 204 ? null : never }[keyof R]
  : never;
/** The JSON request body of `M P`. */
export type BodyOf<M extends Method, P extends PathsFor<M>> = Operation<M, P> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type ParamsOf<M extends Method, P extends PathsFor<M>> = Operation<M, P> extends { parameters: infer X } ? X : never;
/** Path parameters (`{ path: { ticketRef } }`, then required) and query (`{ query: { limit: 100 } }`) of `M P`. */
type Init<M extends Method, P extends PathsFor<M>> = { params?: ParamsOf<M, P> };
type InitArgs<M extends Method, P extends PathsFor<M>> = ParamsOf<M, P> extends { path: object } ? [init: { params: ParamsOf<M, P> }] : [init?: Init<M, P>];

/** openapi-fetch: same-origin fetch (the session cookie goes along), JSON in and out. */
export const client = createClient<ApiPaths>({ baseUrl: '/api/v1', credentials: 'same-origin', headers: { accept: 'application/json' } });

/** The answer's data, or an ApiError with the API's code, message and details (401 also ends the session). */
async function unwrap<T>(path: string, call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const err = (error as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | string | undefined) ?? undefined;
    const body = typeof err === 'object' ? err.error : undefined;
    if (response.status === 401 && !path.startsWith('/auth/login')) onUnauthenticated();
    const text = typeof err === 'string' ? err.slice(0, 200) : '';
    throw new ApiError(response.status, body?.code ?? `HTTP_${response.status}`, body?.message ?? (text || response.statusText), body?.details ?? {});
  }
  return (response.status === 204 ? null : (data ?? null)) as T;
}

// The calls: typed by the path as the server declares it (a route change that breaks a page fails
// `npm run typecheck`). Parameters go in `params`: get('/tickets/{ticketRef}', { params: { path: { ticketRef } } }).
export const get = <P extends PathsFor<'get'>>(path: P, ...[init]: InitArgs<'get', P>): Promise<ResponseOf<'get', P>> =>
  unwrap(path, (client.GET as (p: string, i?: object) => Promise<{ response: Response }>)(path, init));
/** POST with a JSON body (`{}` when none is given: the CSRF check wants a JSON content type). */
export const post = <P extends PathsFor<'post'>>(path: P, body?: BodyOf<'post', P>, ...[init]: InitArgs<'post', P>): Promise<ResponseOf<'post', P>> =>
  unwrap(path, (client.POST as (p: string, i?: object) => Promise<{ response: Response }>)(path, { ...init, body: body ?? {} }));
export const patch = <P extends PathsFor<'patch'>>(path: P, body: BodyOf<'patch', P>, ...[init]: InitArgs<'patch', P>): Promise<ResponseOf<'patch', P>> =>
  unwrap(path, (client.PATCH as (p: string, i?: object) => Promise<{ response: Response }>)(path, { ...init, body }));
export const put = <P extends PathsFor<'put'>>(path: P, body: BodyOf<'put', P>, ...[init]: InitArgs<'put', P>): Promise<ResponseOf<'put', P>> =>
  unwrap(path, (client.PUT as (p: string, i?: object) => Promise<{ response: Response }>)(path, { ...init, body }));
/** DELETE (no body): 204 answers null. */
export const del = <P extends PathsFor<'delete'>>(path: P, ...[init]: InitArgs<'delete', P>): Promise<ResponseOf<'delete', P>> =>
  unwrap(path, (client.DELETE as (p: string, i?: object) => Promise<{ response: Response }>)(path, init));

/**
 * A call whose body is not JSON (the policy document as YAML, multipart uploads): the path is
 * still checked against the document, the body is sent as it is with `contentType`.
 */
export async function api<M extends 'post' | 'put', P extends PathsFor<M>>(method: M, path: P, body: string | FormData, contentType?: string, ...[init]: InitArgs<M, P>): Promise<ResponseOf<M, P>> {
  const call = method === 'post' ? client.POST : client.PUT;
  return unwrap(
    path,
    (call as (p: string, i?: object) => Promise<{ response: Response }>)(path, {
      ...init,
      body,
      bodySerializer: (b: unknown) => b,
      ...(contentType && { headers: { 'content-type': contentType } }),
    }),
  );
}

/** Uploads files (streamed by the server, pending until a ticket or comment names their ids). */
export async function uploadFiles(files: readonly File[]): Promise<Attachment[]> {
  if (files.length === 0) return [];
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  return (await api('post', '/attachments', form)).items; // the browser sets multipart/form-data with its boundary
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const errorText = (e: unknown): string => (e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e));
