/**
 * The policy editor (admins, managers): the active document in an editor with line numbers;
 * "Validate and plan" sends it to POST /policy/plan and shows either every problem at its
 * line (click one to go there) or the plan — rules and teams added, removed, changed, and
 * the SLA clocks whose due moments move; "Apply" (PUT /policy) once the plan is clean. Below,
 * the history of applied versions: read one, compare two, roll back (planned first).
 */
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, errorText, type PolicyPlan, type Problem } from '../api.ts';
import { PolicyHistory } from '../components/policy-history.tsx';
import { PlanView } from '../components/policy-plan.tsx';
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
      const result = method === 'POST' ? await api('post', '/policy/plan', text, 'text/yaml') : await api('put', '/policy', text, 'text/yaml');
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
      <PolicyHistory inForce={session.policy?.doc.version ?? null} onApplied={() => void session.reloadPolicy()} />
    </section>
  );
}
