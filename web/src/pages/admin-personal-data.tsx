/**
 * Administration → Personal data (admins only; docs/security.md, "Personal data: export and
 * erasure"): find a requester by name or email, download everything stored about them as JSON,
 * or erase them — after typing their email address to confirm, since it cannot be undone.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { errorText } from '../api.ts';
import { adminApi, personalDataApi, type AdminUser, type Erasure } from '../api/admin.ts';

type Counts = Record<string, number>;

export function PersonalDataSection() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<AdminUser | null>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [confirm, setConfirm] = useState('');
  const [erased, setErased] = useState<Erasure | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    adminApi
      .users()
      .then((u) => setUsers(u.filter((x) => x.role === 'customer')))
      .catch((e: unknown) => setError(errorText(e)));
  useEffect(() => void load(), []);

  const q = search.trim().toLowerCase();
  const matches =
    q.length < 2
      ? []
      : (users ?? [])
          .filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q))
          .slice(0, 20);

  const pick = (u: AdminUser) => {
    setPicked(u);
    setCounts(null);
    setConfirm('');
    setErased(null);
    setError(null);
  };

  const exportNow = async () => {
    if (!picked) return;
    setBusy(true);
    setError(null);
    try {
      const doc = (await personalDataApi.export(picked.id)) as Record<string, unknown>;
      const c: Counts = {};
      for (const [k, v] of Object.entries(doc)) if (Array.isArray(v)) c[k] = v.length;
      setCounts(c);
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `personal-data-${picked.id}.json`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked || confirm.trim().toLowerCase() !== picked.email.toLowerCase()) return;
    setBusy(true);
    setError(null);
    try {
      setErased(await personalDataApi.erase(picked.id));
      // What the console still holds of them goes too.
      setPicked({ ...picked, name: '[erased]', email: '' });
      setCounts(null);
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <p className="muted small">
        A requester may ask for a copy of what is stored about them, or for their personal data to be erased.
        Erasure replaces their name, email, phone and message texts with “[erased]” everywhere and ends their
        sign-in; their tickets, SLA and escalation history stay for reporting, and each affected ticket
        records who erased it. It cannot be undone.
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <label>
        Find a requester{' '}
        <input
          type="search"
          value={search}
          placeholder="name or email (2+ letters)"
          aria-label="Find a requester"
          onChange={(e) => setSearch(e.target.value)}
        />
      </label>
      {matches.length > 0 ? (
        <ul className="portal-list" aria-label="Requesters found">
          {matches.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="link"
                onClick={() => pick(u)}
                aria-pressed={picked?.id === u.id}
              >
                {u.name}
              </button>
              <span className="muted small">
                {u.email}
                {u.active ? '' : ' · inactive'}
              </span>
            </li>
          ))}
        </ul>
      ) : q.length >= 2 && users ? (
        <p className="muted small">No requester matches “{search}”.</p>
      ) : null}
      {picked ? (
        <section className="card stack" aria-label="Selected requester">
          <h2>
            {picked.name} <span className="muted small">{picked.email}</span>
          </h2>
          <div className="row wrap">
            <button type="button" onClick={() => void exportNow()} disabled={busy}>
              Export personal data (JSON)
            </button>
          </div>
          {counts ? (
            <p role="status" className="flash">
              Exported:{' '}
              {Object.entries(counts)
                .map(([k, n]) => `${n} ${k.replaceAll('_', ' ')}`)
                .join(', ')}
              .
            </p>
          ) : null}
          {erased ? (
            <p role="status" className="flash">
              {erased.already_erased
                ? 'Already erased: nothing left to erase.'
                : `Erased. Recorded on ${erased.tickets.length} ticket(s) (${erased.tickets.join(', ') || '—'}); ${erased.event_fields} event field(s), ${erased.comments} comment(s), ${erased.attachments} attachment(s) replaced or deleted.`}
            </p>
          ) : (
            <form className="stack danger-zone" onSubmit={(e) => void erase(e)}>
              <label>
                To erase, type their email address{' '}
                <input
                  value={confirm}
                  aria-label="Type the email address to confirm"
                  onChange={(e) => setConfirm(e.target.value)}
                  autoComplete="off"
                />
              </label>
              <div className="row">
                <button
                  type="submit"
                  className="danger"
                  disabled={busy || confirm.trim().toLowerCase() !== picked.email.toLowerCase()}
                >
                  Erase permanently
                </button>
              </div>
            </form>
          )}
        </section>
      ) : null}
    </div>
  );
}
