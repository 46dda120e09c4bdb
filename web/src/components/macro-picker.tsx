/**
 * The reply box's macros (issue 13): pick one, see it rendered for this ticket (the customer's
 * name, the ticket's key …) with its visibility and what it sets, then "Use" fills the reply.
 * The reply box applies the macro's `set` when the reply is sent (api/playbooks.ts).
 */
import { useState } from 'react';
import { errorText } from '../api.ts';
import { listMacros, previewMacro, type MacroPreview, type MacroSet } from '../api/playbooks.ts';
import { usePoll } from '../use-poll.ts';

export function describeSet(set: MacroSet): string {
  const parts: string[] = [];
  if (set.status) parts.push(`status → ${set.status}`);
  if (set.priority) parts.push(`priority → ${set.priority}`);
  if (set.tags?.length) parts.push(`tags + ${set.tags.join(', ')}`);
  return parts.join(' · ');
}

export function MacroPicker({ ticketKey, onUse }: { ticketKey: string; onUse: (preview: MacroPreview) => void }) {
  const macros = usePoll(() => listMacros(), [], 300_000);
  const [chosen, setChosen] = useState('');
  const [preview, setPreview] = useState<MacroPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const items = macros.data ?? [];
  if (items.length === 0) return null;
  const pick = async (id: string) => {
    setChosen(id);
    setPreview(null);
    setError(null);
    if (!id) return;
    try {
      setPreview(await previewMacro(ticketKey, id));
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="macro-picker stack">
      <label className="small">
        Macro
        <select name="macro" value={chosen} onChange={(e) => void pick(e.target.value)}>
          <option value="">— insert a canned reply —</option>
          {items.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.visibility})
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <div className="macro-preview" aria-label="Macro preview">
          <p className="small">
            <strong>{preview.name}</strong> <span className={`badge ${preview.visibility === 'internal' ? 'internal' : ''}`}>{preview.visibility === 'internal' ? 'internal note' : 'public reply'}</span>
            {describeSet(preview.set) && <span className="muted"> · on send: {describeSet(preview.set)}</span>}
          </p>
          <pre className="body-text">{preview.body}</pre>
          <div className="row end">
            <button type="button" onClick={() => setPreview(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                onUse(preview);
                setPreview(null);
                setChosen('');
              }}
            >
              Use this reply
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
