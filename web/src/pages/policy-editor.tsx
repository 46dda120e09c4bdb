/**
 * The policy editor (admins, managers): the active document in an editor with line numbers;
 * "Validate and plan" sends it to POST /policy/plan and shows either every problem at its
 * line (click one to go there) or the plan — rules and teams added, removed, changed, and
 * the SLA clocks whose due moments move; "Apply" (PUT /policy) once the plan is clean.
 */
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, errorText, type PolicyPlan, type Problem } from '../api.ts';
import { when } from '../format.ts';
import { useSession } from '../session.tsx';

export function PolicyEditorPage() {
  const session = useSession();
  const original = session.policy?.doc.source ?? 'version: 1\n';
  const [text, setText] = useState(original);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [plan, setPlan] = useState<{ text: string; plan: PolicyPlan } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useEffect(() => setText(original), [original]);

  const lines = text.split('\n');
  const badLines = new Map<number, string[]>();
  for (const p of problems) if (p.line) badLines.set(p.line, [...(badLines.get(p.line) ?? []), p.message]);

  const send = async (method: 'POST' | 'PUT') => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const result = await api<PolicyPlan>(method, method === 'POST' ? '/policy/plan' : '/policy', text, 'text/yaml');
      setProblems([]);
      if (method === 'POST') {
        setPlan({ text, plan: result });
        setMessage(`Valid. Applying makes version ${result.next_version}.`);
      } else {
        setPlan(null);
        setMessage(`Applied: version ${result.next_version} is in force (${result.tickets_reapplied} open ticket(s) re-evaluated).`);
        await session.reloadPolicy();
      }
    } catch (e) {
      setPlan(null);
      if (e instanceof ApiError && e.problems.length > 0) {
        setProblems(e.problems);
        setError(`${e.problems.length} problem(s); nothing was applied.`);
      } else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const goTo = (line: number) => {
    const a = area.current;
    if (!a) return;
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    a.focus();
    a.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    a.scrollTop = Math.max(0, (line - 5) * 20);
  };

  const planFresh = plan !== null && plan.text === text;
  return (
    <section>
      <div className="page-head">
        <h1>Policy</h1>
        <p className="muted small">
          In force: version {session.policy?.doc.version ?? '—'}
          {session.policy && `, applied ${when(session.policy.doc.applied_at)} by ${session.policy.doc.applied_by}`}
        </p>
      </div>
      <div className="editor-grid">
        <div className="editor card">
          <label htmlFor="policy-text" className="editor-label">
            Policy document (YAML)
          </label>
          <div className="editor-box">
            <div className="gutter" ref={gutter} aria-hidden="true">
              {lines.map((_, i) => (
                <div key={i} className={badLines.has(i + 1) ? 'bad' : undefined} title={badLines.get(i + 1)?.join('\n')}>
                  {i + 1}
                </div>
              ))}
            </div>
            <textarea
              id="policy-text"
              ref={area}
              spellCheck={false}
              value={text}
              wrap="off"
              onChange={(e) => setText(e.target.value)}
              onScroll={(e) => {
                if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
              }}
              aria-describedby="policy-problems"
            />
          </div>
          <div className="row end wrap">
            <button type="button" onClick={() => setText(original)} disabled={busy || text === original}>
              Revert
            </button>
            <button type="button" onClick={() => void send('POST')} disabled={busy}>
              Validate and plan
            </button>
            <button type="button" className="primary" onClick={() => void send('PUT')} disabled={busy || !planFresh}>
              Apply version {plan?.plan.next_version ?? ''}
            </button>
          </div>
        </div>
        <div className="card" id="policy-problems" aria-live="polite">
          <h2>Check</h2>
          {message && (
            <p className="flash" role="status">
              {message}
            </p>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {problems.length > 0 && (
            <ol className="problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <button type="button" className="link" onClick={() => p.line && goTo(p.line)} disabled={!p.line}>
                    line {p.line ?? '?'}
                  </button>{' '}
                  <code>{p.path || '(document)'}</code>: {p.message}
                </li>
              ))}
            </ol>
          )}
          {planFresh && plan && <PlanView plan={plan.plan} />}
          {!message && !error && <p className="muted small">Edit, then validate: every problem is listed with its line, or you see what would change.</p>}
        </div>
      </div>
    </section>
  );
}

function Changes({ title, c }: { title: string; c: { added: string[]; removed: string[]; changed: string[] } }) {
  const none = c.added.length + c.removed.length + c.changed.length === 0;
  return (
    <div>
      <h3 className="small">{title}</h3>
      {none ? (
        <p className="muted small">no change</p>
      ) : (
        <ul className="plain small">
          {c.added.map((x) => (
            <li key={`a${x}`} className="added">
              + {x}
            </li>
          ))}
          {c.removed.map((x) => (
            <li key={`r${x}`} className="removed">
              − {x}
            </li>
          ))}
          {c.changed.map((x) => (
            <li key={`c${x}`} className="changed">
              ~ {x}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PlanView({ plan }: { plan: PolicyPlan }) {
  return (
    <div className="plan">
      <p className="small">
        Version {plan.current_version} → {plan.next_version}; {plan.tickets_reapplied} open ticket(s) re-evaluated.
      </p>
      {(plan.warnings ?? []).length > 0 && (
        <>
          <h3 className="small">Warnings ({plan.warnings?.length}) — the policy can still be applied</h3>
          <ul className="plain small warnings" aria-label="Policy warnings">
            {plan.warnings?.map((w, i) => (
              <li key={i} className="warn">
                <code>{w.path}</code>: {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <Changes title="Rules" c={plan.rules} />
      <Changes title="Teams" c={plan.teams} />
      <h3 className="small">SLA due moments that move ({plan.clocks.length})</h3>
      <ul className="plain small">
        {plan.clocks.slice(0, 30).map((c, i) => (
          <li key={i}>
            {c.ticket} {c.metric}: {when(c.due_before)} → {when(c.due_after)}
          </li>
        ))}
      </ul>
    </div>
  );
}
