/**
 * The escalation matrix of the active policy, drawn: the ladder of levels (lowest at the
 * bottom), their teams with lead, manager, members and on-call rotation, arrows up the
 * ladder labelled with the rules that move tickets to the next level, and on each team or
 * level the rules that send tickets straight there. The rule table below says when.
 */
import { label } from '../format.ts';
import { moves, type PolicyModel, type PolicyTeam } from '../policy-model.ts';
import { useSession } from '../session.tsx';
import { onCallNow } from '../on-call.ts';

const short = (email: string | undefined) => (email ? email.replace(/@.*/, '') : '—');

export function MatrixPage() {
  const session = useSession();
  const policy = session.policy;
  if (!policy) return <p className="notice">No policy is in force yet (an admin applies one in the policy editor).</p>;
  const model = policy.model;
  const all = moves(model);
  return (
    <section>
      <div className="page-head">
        <h1>Escalation matrix</h1>
        <p className="muted small">
          Policy v{policy.doc.version}, applied {new Date(policy.doc.applied_at).toLocaleString()} by {policy.doc.applied_by}
        </p>
      </div>
      <div className="card matrix-wrap">
        <MatrixPicture model={model} onCall={onCallSafe(policy.doc.source, model.templates)} />
      </div>
      <h2>Rules that move tickets</h2>
      <div className="table-wrap">
        <table className="rules">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">On</th>
              <th scope="col">If</th>
              <th scope="col">Moves to</th>
              <th scope="col">Reason</th>
              <th scope="col">Acknowledgement</th>
            </tr>
          </thead>
          <tbody>
            {all.map((m, i) => (
              <tr key={`${m.rule}-${i}`}>
                <td>
                  <code>{m.rule}</code>
                </td>
                <td>{m.trigger}</td>
                <td className="small">{m.condition}</td>
                <td>{m.target}</td>
                <td>{label(m.reason)}</td>
                <td>{m.requiresAck ? 'required' : '—'}</td>
              </tr>
            ))}
            {all.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No rule escalates; tickets move only by hand.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function onCallSafe(source: string, templates: string[]): Map<string, string | null> {
  try {
    return onCallNow(source, templates, Date.now());
  } catch {
    return new Map();
  }
}

function MatrixPicture({ model, onCall }: { model: PolicyModel; onCall: Map<string, string | null> }) {
  const all = moves(model);
  const levels = [...model.levels].reverse(); // highest first, drawn at the top
  const boxW = 210;
  const boxH = 120;
  const gap = 16;
  const labelW = 150;
  const arrowW = 230;
  const rowH = boxH + 44;
  const maxTeams = Math.max(1, ...model.levels.map((l) => model.teams.filter((t) => t.level === l.id).length));
  const width = labelW + maxTeams * (boxW + gap) + arrowW;
  const height = levels.length * rowH + 10;
  const nextRules = all.filter((m) => m.target === 'next level').map((m) => m.rule);
  const into = (t: PolicyTeam) => all.filter((m) => m.targetTeam === t.id || (m.targetLevel === t.level && model.teams.find((x) => x.level === t.level && x.kind !== 'functional')?.id === t.id));
  const arrowX = width - arrowW + 36;
  const desc = levels.map((l) => `${l.id} (${l.name}): ${model.teams.filter((t) => t.level === l.id).map((t) => t.id).join(', ') || 'no team'}`).join('; ');

  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="matrix" role="img" aria-label={`Escalation matrix, highest level first. ${desc}. Rules to the next level: ${nextRules.join(', ') || 'none'}.`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
        </marker>
      </defs>
      {levels.map((l, i) => {
        const y = i * rowH + 6;
        const teams = model.teams.filter((t) => t.level === l.id);
        return (
          <g key={l.id} data-level={l.id}>
            <rect x="0" y={y} width={width - arrowW + 4} height={rowH - 12} rx="8" className={`lane lane-${i % 2}`} />
            <text x="12" y={y + 26} className="lane-id">
              {l.id}
            </text>
            <text x="12" y={y + 46} className="lane-name">
              {l.name.length > 20 ? `${l.name.slice(0, 19)}…` : l.name}
            </text>
            {teams.map((t, j) => {
              const x = labelW + j * (boxW + gap);
              const by = y + 10;
              const entered = into(t);
              return (
                <g key={t.id} className={`team-box ${t.kind}`} data-team={t.id}>
                  <rect x={x} y={by} width={boxW} height={boxH} rx="6" />
                  <text x={x + 10} y={by + 20} className="team-name">
                    {t.id}
                    {t.kind === 'functional' ? ' · functional' : ''}
                  </text>
                  <text x={x + 10} y={by + 38} className="team-line">
                    lead {short(t.lead)} · manager {short(t.manager)}
                  </text>
                  <text x={x + 10} y={by + 55} className="team-line">
                    {t.members.length} member(s): {t.members.map(short).join(', ').slice(0, 28)}
                  </text>
                  <text x={x + 10} y={by + 72} className="team-line">
                    on call now: {short(onCall.get(t.id) ?? undefined)}
                    {t.onCall ? ` (rota ${t.onCall.rotation.map(short).join(', ')})` : onCall.get(t.id) ? ' (higher level)' : ''}
                  </text>
                  <text x={x + 10} y={by + 89} className="team-line">
                    {t.skills.length ? `skills: ${t.skills.join(', ')}` : `calendar ${t.calendar ?? '—'}`}
                  </text>
                  {entered.length > 0 && (
                    <text x={x + 10} y={by + 110} className="team-rule">
                      ⇐ {entered.map((m) => m.rule).join(', ').slice(0, 30)}
                    </text>
                  )}
                </g>
              );
            })}
            {teams.length === 0 && (
              <text x={labelW} y={y + 60} className="team-line">
                no team at this level
              </text>
            )}
            {i < levels.length - 1 && (
              <g className="up-arrow">
                <line x1={arrowX} x2={arrowX} y1={y + rowH + 30} y2={y + rowH - 30} markerEnd="url(#arrow)" />
                {(nextRules.length ? nextRules : ['manual only']).map((r, k) => (
                  <text key={r} x={arrowX + 12} y={y + rowH - 14 + k * 14} className="arrow-label">
                    {r}
                  </text>
                ))}
              </g>
            )}
          </g>
        );
      })}
    </svg>
  );
}
