/** The administration area's API calls (users, organizations, tokens, webhooks, templates, intake): typed from the API document. */
import { del, get, patch, post, put, type BodyOf, type ResponseOf } from '../api.ts';

type Item<T> = T extends { items: Array<infer I> } ? I : never;

/** A user as the administration sees it (GET /users). */
export type AdminUser = Item<ResponseOf<'get', '/users'>>;
/** What an invitation or a reset answers: the link went out by mail. */
export type LinkSent = ResponseOf<'post', '/users/{userId}/invite'>;
export type NewUser = BodyOf<'post', '/users'>;
export type UserChanges = BodyOf<'patch', '/users/{userId}'>;
export type AdminOrganization = Item<ResponseOf<'get', '/organizations'>>;
export type NewOrganization = BodyOf<'post', '/organizations'>;
export type OrganizationChanges = BodyOf<'patch', '/organizations/{orgId}'>;
export type ApiToken = Item<ResponseOf<'get', '/tokens'>>;
export type WebhookEndpoint = Item<ResponseOf<'get', '/webhook-endpoints'>>;
export type WebhookChanges = BodyOf<'patch', '/webhook-endpoints/{id}'>;
export type Delivery = Item<ResponseOf<'get', '/webhook-endpoints/{id}/deliveries'>>;
export type Template = ResponseOf<'get', '/templates/{name}'>;
export type TemplatePreview = ResponseOf<'post', '/templates/{name}/preview'>;
export type IntakeSettings = ResponseOf<'get', '/intake/settings'>;

export const adminApi = {
  users: () => get('/users').then((r) => r.items),
  createUser: (u: NewUser) => post('/users', u),
  updateUser: (userId: string, p: UserChanges) => patch('/users/{userId}', p, { params: { path: { userId } } }),
  invite: (userId: string) => post('/users/{userId}/invite', {}, { params: { path: { userId } } }),
  resetPassword: (userId: string) => post('/users/{userId}/reset-password', { end_access: true }, { params: { path: { userId } } }),
  setPassword: (token: string, password: string) => post('/auth/set-password', { token, password }),

  organizations: () => get('/organizations').then((r) => r.items),
  createOrganization: (o: NewOrganization) => post('/organizations', o),
  updateOrganization: (orgId: string, o: OrganizationChanges) => patch('/organizations/{orgId}', o, { params: { path: { orgId } } }),
  deleteOrganization: (orgId: string) => del('/organizations/{orgId}', { params: { path: { orgId } } }),

  tokens: () => get('/tokens').then((r) => r.items),
  createToken: (userId: string, name: string) => post('/tokens', { user_id: userId, name }),
  revokeToken: (tokenId: string) => del('/tokens/{tokenId}', { params: { path: { tokenId } } }),

  webhooks: () => get('/webhook-endpoints').then((r) => r.items),
  createWebhook: (url: string, allowPrivate: boolean) => post('/webhook-endpoints', { url, allow_private: allowPrivate }),
  updateWebhook: (id: string, p: WebhookChanges) => patch('/webhook-endpoints/{id}', p, { params: { path: { id } } }),
  deliveries: (id: string) => get('/webhook-endpoints/{id}/deliveries', { params: { path: { id } } }).then((r) => r.items),
  testWebhook: (id: string) => post('/webhook-endpoints/{id}/test', {}, { params: { path: { id } } }),

  templateNames: () => get('/templates').then((r) => r.items),
  template: (name: string) => get('/templates/{name}', { params: { path: { name } } }),
  saveTemplate: (name: string, t: BodyOf<'put', '/templates/{name}'>) => put('/templates/{name}', t, { params: { path: { name } } }),
  resetTemplate: (name: string) => del('/templates/{name}', { params: { path: { name } } }),
  previewTemplate: (name: string, body: BodyOf<'post', '/templates/{name}/preview'>) => post('/templates/{name}/preview', body, { params: { path: { name } } }),

  intakeSettings: () => get('/intake/settings'),
};

/** A requester's personal data (issue 16): everything stored about them, and the erasure. */
export type PersonalData = ResponseOf<'get', '/requesters/{requesterId}/personal-data'>;
export type Erasure = ResponseOf<'post', '/requesters/{requesterId}/erase'>;
export const personalDataApi = {
  export: (requesterId: string) => get('/requesters/{requesterId}/personal-data', { params: { path: { requesterId } } }),
  erase: (requesterId: string) => post('/requesters/{requesterId}/erase', { confirm: true }, { params: { path: { requesterId } } }),
};
