/**
 * The escalate dialog: the target (next level, a named level or a team), the reason
 * category and the hand-off documentation — summary, steps already taken, what needs
 * specialised attention — all required, as the API requires them.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorText, post, REASONS, type Ticket } from '../api.ts';
import { label } from '../format.ts';
import type { PolicyModel } from '../policy-model.ts';

export function EscalateDialog({ ticket, model, open, onClose, onDone }: { ticket: Ticket; model: PolicyModel | null; open: boolean; onClose: () => void; onDone: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState('next');
  const [reason, setReason] = useState('');
  const [summary, setSummary] = useState('');
  const [steps, setSteps] = useState('');
  const [needs, setNeeds] = useState('');
  const [ack, setAck] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const levels = model?.levels ?? [];
  const currentIndex = levels.findIndex((l) => l.id === ticket.level);
  const nextLevel = currentIndex >= 0 ? levels[currentIndex + 1] : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {
        reason,
        documentation: { summary: summary.trim(), steps_taken: steps.trim(), needs_attention: needs.trim() },
        require_acknowledgement: ack,
      };
      if (target.startsWith('level:')) body.to_level = target.slice(6);
      if (target.startsWith('team:')) body.to_team = target.slice(5);
      await post('/tickets/{ticketRef}/escalate', body, { params: { path: { ticketRef: ticket.key } } });
      setSummary('');
      setSteps('');
      setNeeds('');
      setReason('');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="esc-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <h2 id="esc-title">Escalate {ticket.key}</h2>
        <p className="muted small">
          Now at {ticket.level ?? '—'} · {ticket.team ?? '—'}. The receiving team gets this hand-off with the ticket.
        </p>
        <label>
          Escalate to
          <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="next">Next level{nextLevel ? ` (${nextLevel.id} — ${nextLevel.name})` : ''}</option>
            <optgroup label="Level">
              {levels.map((l) => (
                <option key={l.id} value={`level:${l.id}`}>
                  {l.id} — {l.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Team">
              {(model?.teams ?? []).map((t) => (
                <option key={t.id} value={`team:${t.id}`}>
                  {t.id} ({t.level}
                  {t.kind === 'functional' ? ', functional' : ''})
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          Reason category
          <select name="reason" required value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">choose…</option>
            {REASONS.filter((r) => r !== 'customer_request').map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Summary
          <textarea name="summary" required rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} placeholder="What is the problem, in a sentence or two" />
        </label>
        <label>
          Steps already taken
          <textarea name="steps_taken" required rows={3} value={steps} onChange={(e) => setSteps(e.target.value)} placeholder="What was tried, with what result" />
        </label>
        <label>
          Needs specialised attention
          <textarea name="needs_attention" required rows={2} value={needs} onChange={(e) => setNeeds(e.target.value)} placeholder="What the receiving team should look at" />
        </label>
        <label className="check">
          <input type="checkbox" name="require_ack" checked={ack} onChange={(e) => setAck(e.target.checked)} /> The receiving team must acknowledge
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Escalating…' : 'Escalate'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
