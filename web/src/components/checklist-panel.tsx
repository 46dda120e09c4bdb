/**
 * A ticket's checklists (issue 13): one card per checklist attached when the ticket was escalated
 * for that reason; tick boxes, required items marked, who ticked each and when. Staff only (the
 * portal never shows it). Ticking is one request; the list comes back from the server.
 */
import { useState } from 'react';
import { errorText } from '../api.ts';
import { getChecklists, setChecklistItem, type Checklist } from '../api/playbooks.ts';
import { when } from '../format.ts';
import { usePoll } from '../use-poll.ts';

export function ChecklistPanel({ ticketKey, version, onChanged }: { ticketKey: string; version: number; onChanged: () => Promise<void> }) {
  const polled = usePoll(() => getChecklists(ticketKey), [ticketKey, version], 15_000, { ticket: ticketKey });
  const [lists, setLists] = useState<Checklist[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The box shows the click at once (a controlled checkbox would otherwise snap back until the server answers).
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const shown = lists ?? polled.data ?? [];
  if (shown.length === 0) return null;
  const toggle = async (c: Checklist, item: string, done: boolean) => {
    const key = `${c.checklist}/${item}`;
    setBusy(key);
    setPending((p) => ({ ...p, [key]: done }));
    setError(null);
    try {
      setLists(await setChecklistItem(ticketKey, c.checklist, item, done));
      await polled.reload();
      setLists(null);
      await onChanged();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setPending((p) => {
        const { [key]: _, ...rest } = p;
        return rest;
      });
      setBusy(null);
    }
  };
  return (
    <>
      {shown.map((c) => (
        <section className="card checklist" key={c.checklist} aria-label={`Checklist: ${c.title}`}>
          <h2>{c.title}</h2>
          <p className="muted small">
            Attached {when(c.attached_at)}
            {c.policy_version !== null && <> · policy v{c.policy_version}</>} ·{' '}
            {c.open_required === 0 ? 'all required items done' : `${c.open_required} required item${c.open_required === 1 ? '' : 's'} open`}
          </p>
          <ul className="checklist-items">
            {c.items.map((i) => (
              <li key={i.id} className={i.done ? 'done' : ''}>
                <label className="check">
                  <input
                    type="checkbox"
                    name={`${c.checklist}.${i.id}`}
                    checked={pending[`${c.checklist}/${i.id}`] ?? i.done}
                    disabled={busy !== null}
                    onChange={(e) => void toggle(c, i.id, e.target.checked)}
                  />
                  <span>
                    {i.text}
                    {i.required && (
                      <span className="badge required" title="must be done before the ticket is solved or de-escalated">
                        required
                      </span>
                    )}
                  </span>
                </label>
                {i.done && i.done_by && (
                  <span className="muted small ticked-by">
                    ✓ {i.done_by.name}, {when(i.done_at ?? '')}
                  </span>
                )}
              </li>
            ))}
          </ul>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </section>
      ))}
    </>
  );
}
