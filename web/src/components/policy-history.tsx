/**
 * The policy editor's history: every applied version (newest first, who, when, what changed),
 * one version's document, the difference between a version and the one in force (sections and
 * a line diff), and rollback — planned first (POST /policy/rollback with dry_run), applied only
 * from a fresh plan.
 */
import { useEffect, useState } from 'react';
import { errorText, get, post, type PolicyChanges, type PolicyPlan } from '../api.ts';
import { when } from '../format.ts';
import { PlanView, SectionChangesView } from './policy-plan.tsx';

interface Version {
  version: number;
  applied_at: string;
  applied_by: string;
  rollback_of: number | null;
  contents: string;
  summary: string;
}

interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  old: number | null;
  new: number | null;
}

interface Diff {
  from: number;
  to: number;
  summary: string;
  changes: PolicyChanges;
  lines: DiffLine[];
}

type View = { kind: 'show'; version: number; source: string } | { kind: 'diff'; diff: Diff } | { kind: 'rollback'; version: number; plan: PolicyPlan } | null;

const CONTEXT = 3;

/** The changed lines with a few kept lines around them; a gap marks what is left out. */
function hunks(lines: DiffLine[]): Array<DiffLine | 'gap'> {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(lines.length - 1, i + CONTEXT); k++) keep.add(k);
  });
  const out: Array<DiffLine | 'gap'> = [];
  let last = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (last >= 0 && i > last + 1) out.push('gap');
    out.push(lines[i] as DiffLine);
    last = i;
  }
  return out;
}

export function PolicyHistory({ inForce, onApplied }: { inForce: number | null; onApplied: () => void }) {
  const [versions, setVersions] = useState<Version[]>([]);
  const [view, setView] = useState<View>(null);
  const [error, setError] = useState<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => setVersions((await get('/policy/versions')).items);
  useEffect(() => {
    load().catch((e: unknown) => setError(errorText(e)));
  }, [inForce]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setFlash(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const show = (v: number) => run(async () => setView({ kind: 'show', version: v, source: (await get('/policy/versions/{n}', { params: { path: { n: v } } })).source }));
  const diff = (v: number) => run(async () => setView({ kind: 'diff', diff: await get('/policy/versions/{a}/diff/{b}', { params: { path: { a: v, b: inForce ?? v } } }) }));
  const planRollback = (v: number) => run(async () => setView({ kind: 'rollback', version: v, plan: await post('/policy/rollback', { version: v, dry_run: true }) }));
  const applyRollback = (v: number) =>
    run(async () => {
      const plan = await post('/policy/rollback', { version: v });
      setView(null);
      setFlash(`Rolled back: version ${plan.next_version} (the document of version ${v}) is in force.`);
      await load();
      onApplied();
    });

  return (
    <section className="card" aria-labelledby="policy-history-title">
      <h2 id="policy-history-title">History</h2>
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
      <table className="table small">
        <thead>
          <tr>
            <th>version</th>
            <th>applied</th>
            <th>by</th>
            <th>what changed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>
                v{v.version}
                {v.version === inForce && ' (in force)'}
              </td>
              <td>{when(v.applied_at)}</td>
              <td>{v.applied_by}</td>
              <td title={v.contents}>{v.summary}</td>
              <td className="row wrap">
                <button type="button" onClick={() => void show(v.version)} disabled={busy}>
                  Show v{v.version}
                </button>
                {v.version !== inForce && (
                  <>
                    <button type="button" onClick={() => void diff(v.version)} disabled={busy}>
                      Compare v{v.version} with v{inForce}
                    </button>
                    <button type="button" onClick={() => void planRollback(v.version)} disabled={busy}>
                      Plan rollback to v{v.version}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {view?.kind === 'show' && (
        <div>
          <h3 className="small">Version {view.version}</h3>
          <pre className="policy-source" aria-label={`policy version ${view.version}`}>
            {view.source}
          </pre>
        </div>
      )}
      {view?.kind === 'diff' && (
        <div aria-label={`changes from version ${view.diff.from} to ${view.diff.to}`}>
          <h3 className="small">
            Version {view.diff.from} → {view.diff.to}: {view.diff.summary}
          </h3>
          <SectionChangesView changes={view.diff.changes} onlyChanged />
          <pre className="policy-diff">
            {hunks(view.diff.lines).map((l, i) =>
              l === 'gap' ? (
                <div key={i} className="muted">
                  ⋯
                </div>
              ) : (
                <div key={i} className={l.op === '+' ? 'added' : l.op === '-' ? 'removed' : undefined}>
                  {l.op} {l.text}
                </div>
              ),
            )}
          </pre>
        </div>
      )}
      {view?.kind === 'rollback' && (
        <div>
          <h3 className="small">Rollback to version {view.version}: the plan</h3>
          <PlanView plan={view.plan} />
          <div className="row end">
            <button type="button" onClick={() => setView(null)} disabled={busy}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => void applyRollback(view.version)} disabled={busy}>
              Roll back: apply version {view.plan.next_version}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
