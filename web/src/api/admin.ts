/** The administration area's API calls (users, organizations, tokens, webhooks, templates, intake). */
import { api, get, patch, post, put, type Organization, type Role, type User } from '../api.ts';

export interface AdminUser extends User {
  created_at: string;
  phone: string | null;
  time_zone: string | null;
}

export interface LinkSent {
  purpose: 'invite' | 'reset';
  email: string;
  expires_at: string;
  sessions_ended: number;
  tokens_revoked: number;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  organization_id?: string | null;
  phone?: string | null;
  time_zone?: string | null;
  password?: string;
  invite?: boolean;
}

export interface AdminOrganization extends Organization {
  created_at: string;
  mail_domains: string[];
}

export interface ApiToken {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  kind: 'standard' | 'slack';
  secret: string;
  enabled: boolean;
  allow_private: boolean;
  consecutive_failures?: number;
  disabled_reason?: string | null;
}

export interface Delivery {
  id: string;
  created_at: string;
  event: string;
  ticket: string | null;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  sent_at: string | null;
  next_attempt_at: string | null;
}

export interface Template {
  name: string;
  audience: 'internal' | 'customer';
  subject: string;
  text: string;
  html: string | null;
  overridden: boolean;
  updated_at: string | null;
  updated_by: string | null;
}

export interface TemplatePreview {
  ok: boolean;
  ticket: string;
  audience: 'internal' | 'customer';
  subject?: string;
  text?: string;
  html?: string;
  problems?: Array<{ part: 'subject' | 'text' | 'html' | null; line: number | null; message: string }>;
}

export interface IntakeSettings {
  mail: { domain: string; smtp_port: number; max_bytes: number; reply_addresses: string } | null;
  web_form: { per_minute_per_client: number; per_hour_per_sender: number; default_organization: string | null } | null;
  sources: Array<{ name: string; channel: string; signing: string; hook_url: string; replies: boolean }>;
  where_to_change: string;
}

export const adminApi = {
  users: () => get<{ items: AdminUser[] }>('/users').then((r) => r.items),
  createUser: (u: NewUser) => post<AdminUser & { invitation?: LinkSent }>('/users', u),
  updateUser: (id: string, p: Partial<Pick<AdminUser, 'name' | 'role' | 'active' | 'phone' | 'time_zone'>>) => patch<AdminUser>(`/users/${encodeURIComponent(id)}`, p),
  invite: (id: string) => post<LinkSent>(`/users/${encodeURIComponent(id)}/invite`),
  resetPassword: (id: string) => post<LinkSent>(`/users/${encodeURIComponent(id)}/reset-password`, { end_access: true }),
  setPassword: (token: string, password: string) => post<{ email: string }>('/auth/set-password', { token, password }),

  organizations: () => get<{ items: AdminOrganization[] }>('/organizations').then((r) => r.items),
  createOrganization: (o: { name: string; tier: string; contract_value?: number | null; account_manager?: string | null; mail_domains?: string[] }) => post<AdminOrganization>('/organizations', o),
  updateOrganization: (id: string, o: Partial<{ name: string; tier: string; contract_value: number | null; account_manager: string | null; mail_domains: string[] }>) =>
    patch<AdminOrganization>(`/organizations/${encodeURIComponent(id)}`, o),
  deleteOrganization: (id: string) => api<null>('DELETE', `/organizations/${encodeURIComponent(id)}`),

  tokens: () => get<{ items: ApiToken[] }>('/tokens').then((r) => r.items),
  createToken: (userId: string, name: string) => post<{ token: ApiToken; secret: string }>('/tokens', { user_id: userId, name }),
  revokeToken: (id: string) => api<ApiToken>('DELETE', `/tokens/${encodeURIComponent(id)}`),

  webhooks: () => get<{ items: WebhookEndpoint[] }>('/webhook-endpoints').then((r) => r.items),
  createWebhook: (url: string, allowPrivate: boolean) => post<WebhookEndpoint>('/webhook-endpoints', { url, allow_private: allowPrivate }),
  updateWebhook: (id: string, p: { enabled?: boolean; allow_private?: boolean; rotate_secret?: true }) => patch<WebhookEndpoint>(`/webhook-endpoints/${encodeURIComponent(id)}`, p),
  deliveries: (id: string) => get<{ items: Delivery[] }>(`/webhook-endpoints/${encodeURIComponent(id)}/deliveries`).then((r) => r.items),
  testWebhook: (id: string) => post<{ outbox_id: string }>(`/webhook-endpoints/${encodeURIComponent(id)}/test`),

  templateNames: () => get<{ items: string[] }>('/templates').then((r) => r.items),
  template: (name: string) => get<Template>(`/templates/${encodeURIComponent(name)}`),
  saveTemplate: (name: string, t: { subject: string; text: string; html: string | null }) => put<Template>(`/templates/${encodeURIComponent(name)}`, t),
  resetTemplate: (name: string) => api<null>('DELETE', `/templates/${encodeURIComponent(name)}`),
  previewTemplate: (name: string, body: { ticket: string; subject: string; text: string; html: string | null }) => post<TemplatePreview>(`/templates/${encodeURIComponent(name)}/preview`, body),

  intakeSettings: () => get<IntakeSettings>('/intake/settings'),
};
