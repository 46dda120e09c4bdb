/**
 * The administration area (/admin/*): users (create or invite, role, organization, phone, time
 * zone, deactivate, reset password), organizations, API tokens (the secret shown once),
 * webhook endpoints (create, enable, secret rotation shown once, test send, delivery log),
 * notification templates (edit, preview against a real ticket, reset to the shipped version)
 * and the intake settings (read-only: they come from the server's environment).
 * Admins see every section; managers see what the API allows them (organizations).
 * Every form shows the server's refusal as it came (message and code).
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { errorText, type Role } from '../api.ts';
import { adminApi, type AdminOrganization, type AdminUser, type ApiToken, type Delivery, type IntakeSettings, type LinkSent, type Template, type TemplatePreview, type WebhookEndpoint } from '../api/admin.ts';
import { label, money, when } from '../format.ts';
import { teamsOf } from '../policy-model.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { PersonalDataSection } from './admin-personal-data.tsx';

const SECTIONS: Array<{ path: string; title: string; adminOnly: boolean }> = [
  { path: '/admin/users', title: 'Users', adminOnly: true },
  { path: '/admin/organizations', title: 'Organizations', adminOnly: false },
  { path: '/admin/tokens', title: 'API tokens', adminOnly: true },
  { path: '/admin/webhooks', title: 'Webhooks', adminOnly: true },
  { path: '/admin/templates', title: 'Templates', adminOnly: true },
  { path: '/admin/intake', title: 'Intake', adminOnly: true },
  { path: '/admin/personal-data', title: 'Personal data', adminOnly: true },
];

export const ADMIN_ROLES: readonly Role[] = ['admin', 'manager'];

export function AdminPage({ path }: { path: string }) {
  const { me } = useSession();
  const admin = me.role === 'admin';
  const sections = SECTIONS.filter((s) => admin || !s.adminOnly);
  const current = sections.find((s) => path === s.path || path.startsWith(`${s.path}/`));
  let body: ReactNode;
  if (path === '/admin' || path === '/admin/') body = <AdminHome sections={sections} />;
  else if (!current) body = <p className="notice">Nothing here: {path}. {SECTIONS.some((s) => s.path === path) ? 'Only admins manage this.' : ''}</p>;
  else if (current.path === '/admin/users') body = <UsersSection />;
  else if (current.path === '/admin/organizations') body = <OrganizationsSection />;
  else if (current.path === '/admin/tokens') body = <TokensSection />;
  else if (current.path === '/admin/webhooks') body = <WebhooksSection />;
  else if (current.path === '/admin/templates') body = <TemplatesSection />;
  else if (current.path === '/admin/personal-data') body = <PersonalDataSection />;
  else body = <IntakeSection />;
  return (
    <section>
      <div className="page-head">
        <h1>Administration{current ? `: ${current.title}` : ''}</h1>
      </div>
      <nav className="tabs" aria-label="Administration">
        {sections.map((s) => (
          <Link key={s.path} to={s.path} aria-current={current?.path === s.path ? 'page' : undefined}>
            {s.title}
          </Link>
        ))}
      </nav>
      {body}
    </section>
  );
}

function AdminHome({ sections }: { sections: typeof SECTIONS }) {
  const blurb: Record<string, string> = {
    '/admin/users': 'Create or invite people, set their role, organization, phone and time zone; deactivate (their sessions and tokens end at once) or send a password reset.',
    '/admin/organizations': 'Customer organizations: tier, contract value, account manager.',
    '/admin/tokens': 'API tokens for scripts and integrations: the secret is shown once; revoke at any time.',
    '/admin/webhooks': 'Webhook endpoints: signing secret (rotate), test send, delivery log.',
    '/admin/templates': 'Notification templates: edit, preview against a real ticket, reset to the shipped version.',
    '/admin/intake': 'How tickets come in: mail domain, web form limits, provider webhooks (read-only).',
    '/admin/personal-data': "A requester's personal data: export everything stored about them (JSON), or erase it.",
  };
  return (
    <ul className="portal-list">
      {sections.map((s) => (
        <li key={s.path}>
          <Link to={s.path}>{s.title}</Link>
          <span className="muted small">{blurb[s.path]}</span>
        </li>
      ))}
    </ul>
  );
}

/** Loads with `load`, reloads on demand; shows a load error in place. */
function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await load());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [load]);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload };
}

function Alert({ error }: { error: string | null }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

function Flash({ text }: { text: string | null }) {
  return text ? (
    <p className="flash" role="status">
      {text}
    </p>
  ) : null;
}

/** Runs an action, showing its error (or success text) in the returned slots. */
function useAction(): { error: string | null; done: string | null; run: (f: () => Promise<string | void>) => Promise<boolean>; fail: (m: string) => void } {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (f: () => Promise<string | void>) => {
    setError(null);
    setDone(null);
    try {
      const msg = await f();
      if (msg) setDone(msg);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  const fail = (m: string) => {
    setDone(null);
    setError(m);
  };
  return { error, done, run, fail };
}

const ROLES: Role[] = ['agent', 'lead', 'manager', 'admin', 'customer'];

function UsersSection() {
  const session = useSession();
  const users = useLoad(adminApi.users);
  const orgs = useLoad(adminApi.organizations);
  const action = useAction();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role, organization_id: '', phone: '', time_zone: '', invite: true, password: '' });
  const [editing, setEditing] = useState<string | null>(null);
  // The list can be long (every customer has an account): filter by role group and by name/email.
  const [show, setShow] = useState<'staff' | 'customers' | 'all'>('staff');
  const [search, setSearch] = useState('');
  const shown = (users.data ?? []).filter((u) => {
    if (show === 'staff' && u.role === 'customer') return false;
    if (show === 'customers' && u.role !== 'customer') return false;
    const q = search.trim().toLowerCase();
    return q === '' || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q);
  });
  const linkText = (l: LinkSent) =>
    `${l.purpose === 'invite' ? 'Invitation' : 'Password reset link'} sent to ${l.email} (valid until ${when(l.expires_at)})${l.sessions_ended + l.tokens_revoked > 0 ? `; ${l.sessions_ended} session(s) ended, ${l.tokens_revoked} token(s) revoked` : ''}.`;

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      const u = await adminApi.createUser({
        email: form.email.trim(),
        name: form.name.trim(),
        role: form.role,
        organization_id: form.role === 'customer' ? form.organization_id || null : null,
        ...(form.phone.trim() && { phone: form.phone.trim() }),
        ...(form.time_zone.trim() && { time_zone: form.time_zone.trim() }),
        ...(form.invite ? { invite: true } : { password: form.password }),
      });
      await users.reload();
      return u.invitation ? `${u.name} created. ${linkText(u.invitation)}` : `${u.name} created with the password you gave.`;
    });
    if (ok) setForm({ ...form, email: '', name: '', password: '', phone: '', time_zone: '' });
  };
  const orgName = (id: string | null) => (id ? (orgs.data?.find((o) => o.id === id)?.name ?? id) : '—');

  return (
    <div className="stack">
      <Alert error={users.error} />
      <Flash text={action.done} />
      <Alert error={action.error} />
      <div className="row wrap">
        <label>
          Show{' '}
          <select value={show} onChange={(e) => setShow(e.target.value as typeof show)}>
            <option value="staff">staff</option>
            <option value="customers">customers</option>
            <option value="all">everyone</option>
          </select>
        </label>
        <label>
          Search <input type="search" value={search} placeholder="name or email" onChange={(e) => setSearch(e.target.value)} />
        </label>
        <span className="muted small">
          {shown.length} of {users.data?.length ?? 0} accounts
        </span>
      </div>
      <div className="table-wrap">
        <table aria-label="Users">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Organization</th>
              <th>Teams (policy)</th>
              <th>Phone / time zone</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((u) =>
              editing === u.id ? (
                <EditUserRow
                  key={u.id}
                  user={u}
                  onDone={async (msg) => {
                    setEditing(null);
                    if (msg) await action.run(async () => (await users.reload(), msg));
                  }}
                  onError={action.fail}
                />
              ) : (
                <tr key={u.id} data-email={u.email}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>{u.role}</td>
                  <td>{orgName(u.organization_id)}</td>
                  <td className="small">{session.policy ? teamsOf(session.policy.model, u.email).map((t) => t.id).join(', ') || '—' : '—'}</td>
                  <td className="small">{[u.phone, u.time_zone].filter(Boolean).join(' · ') || '—'}</td>
                  <td>{u.active ? <span className="badge status-open">active</span> : <span className="badge status-closed">deactivated</span>}</td>
                  <td>
                    <div className="row actions">
                      <button onClick={() => setEditing(u.id)}>Edit</button>
                      {u.active && u.id !== session.me.id && (
                        <button
                          onClick={() =>
                            void action.run(async () => {
                              const r = await adminApi.updateUser(u.id, { active: false });
                              await users.reload();
                              return `${r.name} deactivated: their sessions and tokens ended.`;
                            })
                          }
                        >
                          Deactivate
                        </button>
                      )}
                      {!u.active && (
                        <button onClick={() => void action.run(async () => (await adminApi.updateUser(u.id, { active: true }), await users.reload(), `${u.name} reactivated.`))}>Reactivate</button>
                      )}
                      {u.active && <button onClick={() => void action.run(async () => linkText(await adminApi.invite(u.id)))}>Send invitation</button>}
                      {u.active && u.id !== session.me.id && (
                        <button
                          onClick={() => {
                            if (confirm(`Reset the password of ${u.name}? Their sessions and tokens end now; they get a link to choose a new password.`)) void action.run(async () => linkText(await adminApi.resetPassword(u.id)));
                          }}
                        >
                          Reset password
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      <form className="card stack" onSubmit={(e) => void create(e)} aria-label="New user">
        <h2>New user</h2>
        <div className="row wrap">
          <label>
            Email
            <input type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <label>
            Name
            <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            Role
            <select aria-label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          {form.role === 'customer' && (
            <label>
              Organization
              <select aria-label="Organization" value={form.organization_id} onChange={(e) => setForm({ ...form, organization_id: e.target.value })}>
                <option value="">(choose)</option>
                {(orgs.data ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Phone (E.164)
            <input value={form.phone} placeholder="+15551234567" onChange={(e) => setForm({ ...form, phone: e.target.value })} />
          </label>
          <label>
            Time zone
            <input value={form.time_zone} placeholder="Europe/Berlin" onChange={(e) => setForm({ ...form, time_zone: e.target.value })} />
          </label>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.invite} onChange={(e) => setForm({ ...form, invite: e.target.checked })} /> Invite by email (they choose their own password)
        </label>
        {!form.invite && (
          <label>
            Password
            <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
          </label>
        )}
        <p className="muted small">Teams come from the policy (team members by email): change them in the policy editor.</p>
        <div className="row end">
          <button type="submit" className="primary">
            {form.invite ? 'Create and invite' : 'Create user'}
          </button>
        </div>
      </form>
    </div>
  );
}

function EditUserRow({ user, onDone, onError }: { user: AdminUser; onDone: (msg: string | null) => void | Promise<unknown>; onError: (m: string) => void }) {
  const [f, setF] = useState({ name: user.name, role: user.role, phone: user.phone ?? '', time_zone: user.time_zone ?? '' });
  const save = async () => {
    try {
      await adminApi.updateUser(user.id, { name: f.name, role: f.role, phone: f.phone.trim() || null, time_zone: f.time_zone.trim() || null });
      await onDone(`${f.name} saved.`);
    } catch (e) {
      onError(errorText(e));
    }
  };
  return (
    <tr>
      <td>
        <input aria-label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
      </td>
      <td>{user.email}</td>
      <td>
        <select aria-label="Role" value={f.role} onChange={(e) => setF({ ...f, role: e.target.value as Role })}>
          {ROLES.filter((r) => (r === 'customer') === (user.role === 'customer')).map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td colSpan={2} />
      <td>
        <input aria-label="Phone" value={f.phone} onChange={(e) => setF({ ...f, phone: e.target.value })} />
        <input aria-label="Time zone" value={f.time_zone} onChange={(e) => setF({ ...f, time_zone: e.target.value })} />
      </td>
      <td />
      <td>
        <div className="row">
          <button className="primary" onClick={() => void save()}>
            Save
          </button>
          <button onClick={() => void onDone(null)}>Cancel</button>
        </div>
      </td>
    </tr>
  );
}

function OrganizationsSection() {
  const orgs = useLoad(adminApi.organizations);
  const action = useAction();
  const blank = { name: '', tier: 'standard', contract_value: '', account_manager: '', mail_domains: '' };
  const [form, setForm] = useState(blank);
  const [editing, setEditing] = useState<AdminOrganization | null>(null);
  const toBody = (f: typeof blank) => ({
    name: f.name.trim(),
    tier: f.tier.trim(),
    contract_value: f.contract_value.trim() === '' ? null : Number(f.contract_value),
    account_manager: f.account_manager.trim() || null,
    mail_domains: f.mail_domains
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean),
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      if (editing) {
        const o = await adminApi.updateOrganization(editing.id, toBody(form));
        await orgs.reload();
        return `${o.name} saved.`;
      }
      const o = await adminApi.createOrganization(toBody(form));
      await orgs.reload();
      return `Organization ${o.name} created.`;
    });
    if (ok) {
      setForm(blank);
      setEditing(null);
    }
  };
  return (
    <div className="stack">
      <Alert error={orgs.error} />
      <Flash text={action.done} />
      <Alert error={action.error} />
      <div className="table-wrap">
        <table aria-label="Organizations">
          <thead>
            <tr>
              <th>Name</th>
              <th>Tier</th>
              <th>Contract value</th>
              <th>Account manager</th>
              <th>Mail domains</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {(orgs.data ?? []).map((o) => (
              <tr key={o.id}>
                <td>{o.name}</td>
                <td>
                  <span className={`badge tier-${o.tier}`}>{o.tier}</span>
                </td>
                <td>{money(o.contract_value)}</td>
                <td>{o.account_manager ?? '—'}</td>
                <td className="small">{o.mail_domains.join(', ') || '—'}</td>
                <td>
                  <div className="row">
                    <button
                      onClick={() => {
                        setEditing(o);
                        setForm({ name: o.name, tier: o.tier, contract_value: o.contract_value === null ? '' : String(o.contract_value), account_manager: o.account_manager ?? '', mail_domains: o.mail_domains.join(', ') });
                      }}
                    >
                      Edit
                    </button>
                    <button
                      onClick={() => {
                        if (confirm(`Delete ${o.name}? Only an organization without tickets or users can be deleted.`)) void action.run(async () => (await adminApi.deleteOrganization(o.id), await orgs.reload(), `${o.name} deleted.`));
                      }}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="card stack" onSubmit={(e) => void submit(e)} aria-label={editing ? 'Edit organization' : 'New organization'}>
        <h2>{editing ? `Edit ${editing.name}` : 'New organization'}</h2>
        <div className="row wrap">
          <label>
            Organization name
            <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            Tier
            <input required list="tiers" value={form.tier} onChange={(e) => setForm({ ...form, tier: e.target.value })} />
            <datalist id="tiers">
              <option value="standard" />
              <option value="premium" />
              <option value="enterprise" />
            </datalist>
          </label>
          <label>
            Contract value
            <input inputMode="decimal" value={form.contract_value} onChange={(e) => setForm({ ...form, contract_value: e.target.value })} />
          </label>
          <label>
            Account manager
            <input value={form.account_manager} onChange={(e) => setForm({ ...form, account_manager: e.target.value })} />
          </label>
        </div>
        <label>
          Mail domains (comma separated)
          <input value={form.mail_domains} placeholder="initech.example" onChange={(e) => setForm({ ...form, mail_domains: e.target.value })} />
        </label>
        <p className="muted small">A new sender who mails from one of these domains joins this organization (a domain belongs to one organization). Web-form senders always join the intake organization.</p>
        <div className="row end">
          {editing && (
            <button type="button" onClick={() => (setEditing(null), setForm(blank))}>
              Cancel
            </button>
          )}
          <button type="submit" className="primary">
            {editing ? 'Save organization' : 'Create organization'}
          </button>
        </div>
      </form>
    </div>
  );
}

function TokensSection() {
  const tokens = useLoad(adminApi.tokens);
  const users = useLoad(adminApi.users);
  const action = useAction();
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const who = (id: string) => users.data?.find((u) => u.id === id)?.email ?? id;
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setSecret(null);
    await action.run(async () => {
      const r = await adminApi.createToken(userId, name.trim());
      setSecret({ name: r.token.name, secret: r.secret });
      setName('');
      await tokens.reload();
    });
  };
  return (
    <div className="stack">
      <Alert error={tokens.error} />
      <Flash text={action.done} />
      <Alert error={action.error} />
      {secret && (
        <div className="notice" role="status">
          <strong>Token “{secret.name}” created.</strong> Copy the secret now: it is shown once and never again.
          <pre className="secret" aria-label="New token secret">
            {secret.secret}
          </pre>
        </div>
      )}
      <div className="table-wrap">
        <table aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>User</th>
              <th>Created</th>
              <th>Last used</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data ?? []).map((t: ApiToken) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{who(t.user_id)}</td>
                <td>{when(t.created_at)}</td>
                <td>{t.last_used_at ? when(t.last_used_at) : 'never'}</td>
                <td>
                  {t.revoked_at ? (
                    <span className="badge status-closed">revoked{t.revoked_reason && t.revoked_reason !== 'revoked' ? ` (${label(t.revoked_reason)})` : ''}</span>
                  ) : (
                    <span className="badge status-open">active</span>
                  )}
                </td>
                <td>
                  {!t.revoked_at && (
                    <button onClick={() => void action.run(async () => (setSecret(null), await adminApi.revokeToken(t.id), await tokens.reload(), `Token ${t.name} revoked.`))}>Revoke</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="card stack" onSubmit={(e) => void create(e)} aria-label="New API token">
        <h2>New API token</h2>
        <div className="row wrap">
          <label>
            For user
            <select aria-label="For user" required value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">(choose)</option>
              {(users.data ?? [])
                .filter((u) => u.active)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.email})
                  </option>
                ))}
            </select>
          </label>
          <label>
            Token name
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        </div>
        <div className="row end">
          <button type="submit" className="primary">
            Create token
          </button>
        </div>
      </form>
    </div>
  );
}

function WebhooksSection() {
  const hooks = useLoad(adminApi.webhooks);
  const action = useAction();
  const [url, setUrl] = useState('');
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [shown, setShown] = useState<{ id: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const h = await adminApi.createWebhook(url.trim(), allowPrivate);
      setShown({ id: h.id, secret: h.secret });
      setUrl('');
      await hooks.reload();
      return `Endpoint ${h.url} created.`;
    });
  };
  return (
    <div className="stack">
      <Alert error={hooks.error} />
      <Flash text={action.done} />
      <Alert error={action.error} />
      {(hooks.data ?? []).length === 0 && <p className="muted">No webhook endpoints yet: add one below, or name a URL in the policy's notifications.</p>}
      {(hooks.data ?? []).map((h: WebhookEndpoint) => (
        <article key={h.id} className="card stack" aria-label={`Webhook ${h.url}`}>
          <div className="row spread wrap">
            <div>
              <code>{h.url}</code> <span className="badge">{h.kind}</span>{' '}
              {h.enabled ? <span className="badge status-open">enabled</span> : <span className="badge status-closed">disabled{h.disabled_reason ? `: ${h.disabled_reason}` : ''}</span>}
              {h.allow_private && <span className="badge">private addresses allowed</span>}
              <span className="muted small" title="The signing secret is shown once, when made; this is its end, to tell secrets apart.">
                secret {h.secret_hint}
              </span>
              {(h.consecutive_failures ?? 0) > 0 && <span className="badge prio-high">{h.consecutive_failures} failures in a row</span>}
            </div>
            <div className="row wrap">
              <button onClick={() => void action.run(async () => (await adminApi.updateWebhook(h.id, { enabled: !h.enabled }), await hooks.reload(), `${h.url} ${h.enabled ? 'disabled' : 'enabled'}.`))}>
                {h.enabled ? 'Disable' : 'Enable'}
              </button>
              <button
                onClick={() =>
                  void action.run(async () => {
                    const r = await adminApi.updateWebhook(h.id, { rotate_secret: true });
                    if (r.secret) setShown({ id: h.id, secret: r.secret });
                    await hooks.reload();
                    return 'Secret rotated: deliveries from now on are signed with the new secret.';
                  })
                }
              >
                Rotate secret
              </button>
              <button onClick={() => void action.run(async () => (await adminApi.testWebhook(h.id), setOpen(h.id), 'Test event queued; it appears in the delivery log below.'))}>Send test event</button>
              <button onClick={() => setOpen(open === h.id ? null : h.id)} aria-expanded={open === h.id}>
                Delivery log
              </button>
            </div>
          </div>
          {shown?.id === h.id && (
            <div className="notice" role="status">
              Signing secret — copy it to the receiver now, it is not shown again here:
              <pre className="secret" aria-label="Signing secret">
                {shown.secret}
              </pre>
            </div>
          )}
          {open === h.id && <DeliveryLog id={h.id} />}
        </article>
      ))}
      <form className="card stack" onSubmit={(e) => void create(e)} aria-label="New webhook endpoint">
        <h2>New webhook endpoint</h2>
        <label>
          Endpoint URL
          <input type="url" required placeholder="https://hooks.example.com/escalon" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={allowPrivate} onChange={(e) => setAllowPrivate(e.target.checked)} /> Allow private addresses (an endpoint inside your network)
        </label>
        <p className="muted small">Deliveries are signed (Standard Webhooks). Which events go to it is set by the policy's rules (notify: webhook); the test event is `ping`.</p>
        <div className="row end">
          <button type="submit" className="primary">
            Add endpoint
          </button>
        </div>
      </form>
    </div>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const load = useCallback(() => adminApi.deliveries(id), [id]);
  const log = useLoad(load);
  // Refresh while something is still on its way (the test event is delivered within seconds).
  const pending = (log.data ?? []).some((d) => ['pending', 'sending', 'held', 'waiting'].includes(d.status));
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => void log.reload(), 1000);
    return () => clearInterval(t);
  }, [pending, log]);
  return (
    <div className="stack">
      <div className="row spread">
        <h3>Delivery log</h3>
        <button onClick={() => void log.reload()}>Refresh</button>
      </div>
      <Alert error={log.error} />
      <div className="table-wrap">
        <table aria-label="Delivery log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Ticket</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last answer</th>
            </tr>
          </thead>
          <tbody>
            {(log.data ?? []).length === 0 && (
              <tr>
                <td colSpan={6} className="empty muted">
                  Nothing sent to this endpoint yet.
                </td>
              </tr>
            )}
            {(log.data ?? []).map((d: Delivery) => (
              <tr key={d.id}>
                <td>{when(d.created_at)}</td>
                <td>{d.event}</td>
                <td>{d.ticket ?? '—'}</td>
                <td>
                  <span className={`badge dl-${d.status}`}>{d.status}</span>
                  {d.next_attempt_at && <div className="small muted">next try {when(d.next_attempt_at)}</div>}
                </td>
                <td>{d.attempts}</td>
                <td className="small">
                  {d.last_status_code !== null ? `HTTP ${d.last_status_code}` : '—'}
                  {d.last_error && <div className="error">{d.last_error}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function TemplatesSection() {
  const names = useLoad(adminApi.templateNames);
  const [name, setName] = useState<string | null>(null);
  return (
    <div className="editor-grid admin-templates">
      <div className="card">
        <h2>Templates</h2>
        <Alert error={names.error} />
        <ul className="plain">
          {(names.data ?? []).map((n) => (
            <li key={n}>
              <button className="link" aria-current={n === name ? 'true' : undefined} onClick={() => setName(n)}>
                {n}
              </button>
            </li>
          ))}
        </ul>
      </div>
      {name ? <TemplateEditor key={name} name={name} /> : <p className="muted">Choose a template to edit it.</p>}
    </div>
  );
}

function TemplateEditor({ name }: { name: string }) {
  const load = useCallback(() => adminApi.template(name), [name]);
  const t = useLoad(load);
  const [draft, setDraft] = useState<{ subject: string; text: string; html: string } | null>(null);
  const [ticket, setTicket] = useState('');
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const action = useAction();
  useEffect(() => {
    if (t.data) setDraft({ subject: t.data.subject, text: t.data.text, html: t.data.html ?? '' });
  }, [t.data]);
  if (t.error) return <Alert error={t.error} />;
  if (!t.data || !draft) return <p className="muted">Loading…</p>;
  const tpl: Template = t.data;
  const body = { subject: draft.subject, text: draft.text, html: draft.html.trim() ? draft.html : null };
  return (
    <section className="card stack" aria-label={`Template ${name}`}>
      <h2>
        {name} <span className="badge">{tpl.audience}</span> {tpl.overridden ? <span className="badge prio-high">edited</span> : <span className="badge">shipped</span>}
      </h2>
      {tpl.updated_at && <p className="muted small">Last saved {when(tpl.updated_at)} by {tpl.updated_by}</p>}
      <Flash text={action.done} />
      <Alert error={action.error} />
      <label>
        Subject
        <input value={draft.subject} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
      </label>
      <label>
        Text
        <textarea rows={12} aria-label="Text" value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
      </label>
      <label>
        HTML (optional; empty: made from the text)
        <textarea rows={5} aria-label="HTML" value={draft.html} onChange={(e) => setDraft({ ...draft, html: e.target.value })} />
      </label>
      <div className="row wrap end">
        <label>
          Preview with ticket
          <input placeholder="ESC-1" value={ticket} onChange={(e) => setTicket(e.target.value)} />
        </label>
        <button onClick={() => void action.run(async () => setPreview(await adminApi.previewTemplate(name, { ticket: ticket.trim(), ...body })))} disabled={!ticket.trim()}>
          Preview
        </button>
        {tpl.overridden && (
          <button onClick={() => void action.run(async () => (await adminApi.resetTemplate(name), await t.reload(), setPreview(null), 'Back to the shipped version.'))}>Reset to shipped</button>
        )}
        <button className="primary" onClick={() => void action.run(async () => (await adminApi.saveTemplate(name, body), await t.reload(), 'Template saved.'))}>
          Save template
        </button>
      </div>
      {preview && !preview.ok && (
        <div className="error" role="alert">
          <strong>The template does not render with {preview.ticket}:</strong>
          <ul className="problems">
            {(preview.problems ?? []).map((p, i) => (
              <li key={i}>
                {p.part ?? 'template'}
                {p.line !== null ? `, line ${p.line}` : ''}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview?.ok && (
        <section className="stack" aria-label="Preview">
          <h3>
            Preview with {preview.ticket} ({preview.audience === 'customer' ? 'as the customer sees it' : 'internal'})
          </h3>
          <p>
            <strong>Subject:</strong> {preview.subject}
          </p>
          <pre className="preview-text">{preview.text}</pre>
        </section>
      )}
    </section>
  );
}

function IntakeSection() {
  const s = useLoad<IntakeSettings>(adminApi.intakeSettings);
  if (s.error) return <Alert error={s.error} />;
  if (!s.data) return <p className="muted">Loading…</p>;
  const d = s.data;
  return (
    <div className="stack">
      <p className="notice">{d.where_to_change}</p>
      <div className="card">
        <h2>Email</h2>
        {d.mail ? (
          <dl className="handoff">
            <dt>Mail domain</dt>
            <dd>{d.mail.domain}</dd>
            <dt>SMTP listener port</dt>
            <dd>{d.mail.smtp_port}</dd>
            <dt>Largest mail</dt>
            <dd>{Math.round(d.mail.max_bytes / 1024 / 1024)} MiB</dd>
            <dt>Reply addresses</dt>
            <dd>
              <code>{d.mail.reply_addresses}</code>
            </dd>
          </dl>
        ) : (
          <p className="muted">This server does not run the mail intake (no intake settings were given to the API).</p>
        )}
      </div>
      <div className="card">
        <h2>Web form</h2>
        {d.web_form ? (
          <dl className="handoff">
            <dt>Per client address</dt>
            <dd>{d.web_form.per_minute_per_client} per minute</dd>
            <dt>Per sender address</dt>
            <dd>{d.web_form.per_hour_per_sender} per hour</dd>
            <dt>New senders join</dt>
            <dd>{d.web_form.default_organization ?? 'nobody: unknown senders are refused'}</dd>
          </dl>
        ) : (
          <p className="muted">Not configured.</p>
        )}
      </div>
      <div className="card">
        <h2>Provider webhooks</h2>
        {d.sources.length === 0 ? (
          <p className="muted">None (ESCALON_INTAKE_SOURCES is not set).</p>
        ) : (
          <table aria-label="Intake sources">
            <thead>
              <tr>
                <th>Source</th>
                <th>Channel</th>
                <th>Signing</th>
                <th>URL to give the provider</th>
                <th>Replies</th>
              </tr>
            </thead>
            <tbody>
              {d.sources.map((x) => (
                <tr key={x.name}>
                  <td>{x.name}</td>
                  <td>{x.channel}</td>
                  <td>{x.signing}</td>
                  <td>
                    <code>{x.hook_url}</code>
                  </td>
                  <td>{x.replies ? 'sent back through the provider' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
