/**
 * The post-resolution review of a solved ticket: the recorded lessons (root cause, what went
 * well and badly, follow-up actions with owners and due days) for staff to read, and the form
 * leads, managers and admins record or edit them with (PUT /tickets/:ref/review, revision-checked).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorText, get, put } from '../api.ts';
import { when } from '../format.ts';
import { useSession } from '../session.tsx';

interface Person {
  id: string;
  name: string;
}

interface Lessons {
  revision: number;
  root_cause: string;
  root_cause_name: string;
  root_cause_detail: string;
  went_well: string;
  went_badly: string;
  actions: Array<{ description: string; owner: Person; due: string; done: boolean }>;
  recorded_by: Person;
  recorded_at: string;
  updated_by: Person;
  updated_at: string;
}

interface ReviewResponse {
  lessons: Lessons | null;
  choices: { root_causes: Array<{ id: string; name: string }>; owners: Array<Person & { email: string }> };
}

interface ActionDraft {
  description: string;
  owner_id: string;
  due: string;
  done: boolean;
}

const EDITORS = ['admin', 'manager', 'lead'];

export function ReviewForm({ ticketKey, status }: { ticketKey: string; status: string }) {
  const session = useSession();
  const [data, setData] = useState<ReviewResponse | null>(null);
  const [editing, setEditing] = useState(false);
  const [cause, setCause] = useState('');
  const [detail, setDetail] = useState('');
  const [well, setWell] = useState('');
  const [badly, setBadly] = useState('');
  const [actions, setActions] = useState<ActionDraft[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const over = status === 'solved' || status === 'closed';
  const mayEdit = EDITORS.includes(session.me.role);

  const load = async () => {
    // The route declares no response schema yet: its shape is this page's ReviewResponse.
    const r = (await get('/tickets/{ticketRef}/review', { params: { path: { ticketRef: ticketKey } } })) as ReviewResponse;
    setData(r);
    const l = r.lessons;
    setCause(l?.root_cause ?? '');
    setDetail(l?.root_cause_detail ?? '');
    setWell(l?.went_well ?? '');
    setBadly(l?.went_badly ?? '');
    setActions(l?.actions.map((a) => ({ description: a.description, owner_id: a.owner.id, due: a.due, done: a.done })) ?? []);
  };
  useEffect(() => {
    if (over) load().catch((e: unknown) => setError(errorText(e)));
  }, [ticketKey, over]);

  if (!over) return null;
  const lessons = data?.lessons ?? null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFlash(null);
    try {
      await put('/tickets/{ticketRef}/review', { root_cause: cause, root_cause_detail: detail, went_well: well, went_badly: badly, actions, revision: lessons?.revision ?? 0 }, { params: { path: { ticketRef: ticketKey } } });
      await load();
      setEditing(false);
      setFlash('Review saved.');
    } catch (err) {
      const issues = err instanceof ApiError && Array.isArray(err.details.issues) ? (err.details.issues as Array<{ path: string; message: string }>) : [];
      setError(issues.length ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const setAction = (i: number, patch: Partial<ActionDraft>) => setActions(actions.map((a, k) => (k === i ? { ...a, ...patch } : a)));

  return (
    <section className="card" aria-labelledby="review-title">
      <div className="row spread">
        <h2 id="review-title">Review and lessons</h2>
        {mayEdit && !editing && data && (
          <button type="button" onClick={() => setEditing(true)}>
            {lessons ? 'Edit review' : 'Write review'}
          </button>
        )}
      </div>
      {flash && (
        <p className="flash" role="status">
          {flash}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!editing && !lessons && <p className="muted small">No review recorded yet.</p>}
      {!editing && lessons && (
        <div className="small" data-testid="review-lessons">
          <p>
            <strong>Root cause:</strong> {lessons.root_cause_name}
            {lessons.root_cause_detail && ` — ${lessons.root_cause_detail}`}
          </p>
          {lessons.went_well && (
            <p>
              <strong>Went well:</strong> {lessons.went_well}
            </p>
          )}
          {lessons.went_badly && (
            <p>
              <strong>Went badly:</strong> {lessons.went_badly}
            </p>
          )}
          {lessons.actions.length > 0 && (
            <ul className="plain">
              {lessons.actions.map((a, i) => (
                <li key={i}>
                  {a.done ? '✓' : '○'} {a.description} — {a.owner.name}, due {a.due}
                </li>
              ))}
            </ul>
          )}
          <p className="muted">
            Revision {lessons.revision}, {when(lessons.updated_at)} by {lessons.updated_by.name}
          </p>
        </div>
      )}
      {editing && data && (
        <form className="stack" onSubmit={(e) => void save(e)}>
          <label>
            Root cause
            <select aria-label="Root cause" value={cause} onChange={(e) => setCause(e.target.value)} required>
              <option value="">— choose —</option>
              {data.choices.root_causes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Root cause in words
            <textarea rows={2} value={detail} onChange={(e) => setDetail(e.target.value)} />
          </label>
          <label>
            What went well
            <textarea rows={2} value={well} onChange={(e) => setWell(e.target.value)} />
          </label>
          <label>
            What went badly
            <textarea rows={2} value={badly} onChange={(e) => setBadly(e.target.value)} />
          </label>
          <fieldset className="stack">
            <legend className="small">Follow-up actions</legend>
            {actions.map((a, i) => (
              <div key={i} className="row wrap">
                <input aria-label={`Action ${i + 1}`} value={a.description} onChange={(e) => setAction(i, { description: e.target.value })} placeholder="what to do" required />
                <select aria-label={`Owner of action ${i + 1}`} value={a.owner_id} onChange={(e) => setAction(i, { owner_id: e.target.value })} required>
                  <option value="">— owner —</option>
                  {data.choices.owners.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
                <input aria-label={`Due date of action ${i + 1}`} type="date" value={a.due} onChange={(e) => setAction(i, { due: e.target.value })} required />
                <label className="check small">
                  <input type="checkbox" checked={a.done} onChange={(e) => setAction(i, { done: e.target.checked })} /> done
                </label>
                <button type="button" className="link" onClick={() => setActions(actions.filter((_, k) => k !== i))}>
                  remove
                </button>
              </div>
            ))}
            <div>
              <button type="button" onClick={() => setActions([...actions, { description: '', owner_id: '', due: '', done: false }])}>
                Add action
              </button>
            </div>
          </fieldset>
          <div className="row end">
            <button type="button" onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || cause === ''}>
              Save review
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
