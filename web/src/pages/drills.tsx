/**
 * Escalation drills: the list and the start form (managers and admins), a trainee's practice
 * queue with the decision form and per-ticket feedback, and the score sheet (per trainee, per
 * ticket, per scenario). Drill tickets are not tickets: nothing here notifies anyone.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorText, REASONS, type Reason } from '../api.ts';
import { after, decide, getPracticeQueue, getScores, listDrills, startDrill, type DrillList, type DrillTicket, type Expected, type PracticeQueue, type ScenarioChoice, type ScoreCheck, type ScoreSheet } from '../api/drills.ts';
import { Link, navigate } from '../router.tsx';
import { isManager, useSession } from '../session.tsx';
import '../drills.css';

const reasonText = (r: string | null | undefined) => (r ? r.replace(/_/g, ' ') : '—');
const ITEM: Record<ScoreCheck['item'], string> = { escalate: 'Escalate or not', target: 'Target', reason: 'Reason', timing: 'When' };

export function DrillsPage() {
  const { me } = useSession();
  const [data, setData] = useState<DrillList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    listDrills().then(setData, (e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);
  if (error) return <p className="error">Could not load the drills: {error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const manager = isManager(me.role);
  return (
    <section className="drills">
      <h1>Escalation drills</h1>
      <p className="muted">Practice tickets from a scenario: decide whether, where and when to escalate, and compare with what the policy in force does. Drills never notify anyone and never count in reports.</p>
      {data.can_start && <StartDrillForm scenarios={data.scenarios} />}
      <h2>{manager ? 'All drills' : 'Your drills'}</h2>
      {data.items.length === 0 ? (
        <p className="muted">{manager ? 'No drill yet: start one above.' : 'You are not in any drill yet.'}</p>
      ) : (
        <table className="drill-table">
          <thead>
            <tr>
              <th scope="col">Drill</th>
              <th scope="col">Scenario</th>
              <th scope="col">Tickets</th>
              <th scope="col">Trainees</th>
              <th scope="col">Started</th>
              <th scope="col">Your progress</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.name}</th>
                <td>{d.scenario}</td>
                <td>{d.tickets}</td>
                <td>{d.trainees.map((t) => t.name).join(', ')}</td>
                <td>
                  {new Date(d.created_at).toLocaleString()} <span className="muted small">by {d.created_by}</span>
                </td>
                <td>{d.my_progress ? `${d.my_progress.decided}/${d.tickets} decided · ${d.my_progress.points}/${d.tickets * 5} points` : <span className="muted">—</span>}</td>
                <td className="row">
                  <Link to={`/drills/${d.id}`}>{d.my_progress ? 'Practice' : 'Tickets'}</Link>
                  {manager && <Link to={`/drills/${d.id}/scores`}>Score sheet</Link>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function StartDrillForm({ scenarios }: { scenarios: DrillList['scenarios'] }) {
  const session = useSession();
  const staff = [...session.users.values()].filter((u) => u.active && u.role !== 'customer').sort((a, b) => a.name.localeCompare(b.name));
  const [name, setName] = useState('');
  const [source, setSource] = useState<string>(scenarios[0] ? `example:${scenarios[0].id}` : 'history');
  const [count, setCount] = useState(5);
  const [upload, setUpload] = useState('');
  const [allAgents, setAllAgents] = useState(true);
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let scenario: ScenarioChoice;
    if (source.startsWith('example:')) scenario = { kind: 'example', id: source.slice('example:'.length) };
    else if (source === 'history') scenario = { kind: 'history', count };
    else scenario = { kind: 'upload', workload: upload, name: 'upload' };
    setBusy(true);
    try {
      const drill = await startDrill({ ...(name.trim() && { name: name.trim() }), scenario, trainees: allAgents ? 'all_agents' : picked });
      navigate(`/drills/${drill.id}/scores`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack drill-start" onSubmit={(e) => void submit(e)} aria-labelledby="start-drill">
      <h2 id="start-drill">Start a drill</h2>
      <div className="row wrap drill-fields">
        <label>
          Drill name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Monday practice" maxLength={200} />
        </label>
        <label>
          Scenario
          <select aria-label="Scenario" value={source} onChange={(e) => setSource(e.target.value)}>
            {scenarios.map((s) => (
              <option key={s.id} value={`example:${s.id}`}>
                {s.title} ({s.tickets} tickets)
              </option>
            ))}
            <option value="history">Tickets sampled from history (names removed)</option>
            <option value="upload">Upload a workload (JSONL)</option>
          </select>
        </label>
        {source === 'history' && (
          <label>
            How many tickets
            <input type="number" min={1} max={50} value={count} onChange={(e) => setCount(Number(e.target.value))} />
          </label>
        )}
      </div>
      {source === 'upload' && (
        <div className="stack">
          <label>
            Workload file
            <input
              type="file"
              accept=".jsonl,.json,application/x-ndjson,text/plain"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void f.text().then(setUpload);
              }}
            />
          </label>
          <label>
            Or paste the workload (one JSON line per event, docs/contract.md §6)
            <textarea rows={5} value={upload} onChange={(e) => setUpload(e.target.value)} />
          </label>
        </div>
      )}
      <fieldset className="drill-trainees">
        <legend>Trainees</legend>
        <label className="check">
          <input type="checkbox" checked={allAgents} onChange={(e) => setAllAgents(e.target.checked)} /> All agents
        </label>
        {!allAgents && (
          <div className="row wrap">
            {staff.map((u) => (
              <label key={u.id} className="check">
                <input type="checkbox" checked={picked.includes(u.id)} onChange={(e) => setPicked(e.target.checked ? [...picked, u.id] : picked.filter((x) => x !== u.id))} /> {u.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {error && <p className="error">{error}</p>}
      <div className="row end">
        <button className="primary" type="submit" disabled={busy}>
          Start drill
        </button>
      </div>
    </form>
  );
}

export function DrillPracticePage({ id }: { id: string }) {
  const { me } = useSession();
  const [data, setData] = useState<PracticeQueue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    getPracticeQueue(id).then(setData, (e: unknown) => setError(errorText(e)));
  }, [id]);
  useEffect(load, [load]);
  if (error) return <p className="error">Could not load the drill: {error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const decided = data.tickets.filter((t) => t.decision).length;
  const points = data.tickets.reduce((s, t) => s + (t.decision?.points ?? 0), 0);
  return (
    <section className="drills">
      <p className="small">
        <Link to="/drills">← Drills</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>Practice: {data.drill.name}</h1>
          <p className="muted">
            Scenario {data.drill.scenario} · policy version {data.drill.policy_version} · practice queue — nobody is notified
          </p>
        </div>
        {data.is_trainee && (
          <p className="drill-progress" aria-live="polite">
            {decided}/{data.tickets.length} decided · {points}/{data.tickets.length * 5} points
          </p>
        )}
        {isManager(me.role) && <Link to={`/drills/${id}/scores`}>Score sheet</Link>}
      </div>
      {!data.is_trainee && <p className="notice">You are not a trainee of this drill: you see its tickets and what the policy does.</p>}
      {data.tickets.map((t) => (
        <DrillTicketCard key={t.id} drillId={id} ticket={t} choices={data.choices} canDecide={data.is_trainee} onDecided={load} />
      ))}
      {data.is_trainee && decided === data.tickets.length && <p className="flash">Drill complete: {points}/{data.tickets.length * 5} points.</p>}
    </section>
  );
}

function DrillTicketCard({ drillId, ticket, choices, canDecide, onDecided }: { drillId: string; ticket: DrillTicket; choices: PracticeQueue['choices']; canDecide: boolean; onDecided: () => void }) {
  const [escalate, setEscalate] = useState<boolean | null>(null);
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState<Reason | ''>('');
  const [timing, setTiming] = useState<'now' | 'wait' | ''>('');
  const [summary, setSummary] = useState('');
  const [steps, setSteps] = useState('');
  const [attention, setAttention] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = `d-${ticket.id}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (escalate === null) return setError('Choose: escalate or not.');
    setError(null);
    setBusy(true);
    try {
      await decide(drillId, {
        ticket_id: ticket.id,
        escalate,
        ...(escalate && {
          ...(target.startsWith('team:') ? { team: target.slice(5) } : target.startsWith('level:') ? { level: target.slice(6) } : {}),
          reason: reason || null,
          timing: timing || null,
          documentation: { summary, steps_taken: steps, needs_attention: attention },
        }),
      });
      onDecided();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="card drill-ticket" aria-labelledby={`${name}-h`} data-ref={ticket.ref}>
      <header className="row spread wrap">
        <h2 id={`${name}-h`}>
          {ticket.ref}: {ticket.subject}
        </h2>
        <span className="muted small">
          {ticket.priority} · {ticket.tier} customer · via {ticket.channel}
          {ticket.tags.length > 0 && ` · tags ${ticket.tags.join(', ')}`}
        </span>
      </header>
      <p className="drill-body">{ticket.body}</p>
      <ol className="drill-timeline">
        {ticket.timeline.map((e, i) => (
          <li key={i}>
            <span className="muted">{after(e.after_ms)}</span> {e.text}
          </li>
        ))}
      </ol>
      {ticket.decision ? (
        <Feedback result={ticket.decision} expected={ticket.expected} />
      ) : ticket.expected ? (
        <PolicyAnswer expected={ticket.expected} />
      ) : canDecide ? (
        <form className="stack drill-decide" onSubmit={(e) => void submit(e)} aria-label={`Decision for ${ticket.ref}`}>
          <fieldset>
            <legend>Your decision</legend>
            <label className="check">
              <input type="radio" name={`${name}-esc`} checked={escalate === true} onChange={() => setEscalate(true)} /> Escalate
            </label>
            <label className="check">
              <input type="radio" name={`${name}-esc`} checked={escalate === false} onChange={() => setEscalate(false)} /> Do not escalate
            </label>
          </fieldset>
          {escalate && (
            <>
              <div className="row wrap drill-fields">
                <label>
                  Escalate to
                  <select aria-label="Escalate to" value={target} onChange={(e) => setTarget(e.target.value)} required>
                    <option value="">Choose a team or level…</option>
                    <optgroup label="Teams">
                      {choices.teams.map((t) => (
                        <option key={t.id} value={`team:${t.id}`}>
                          {t.id} ({t.level}
                          {t.kind === 'functional' ? ', functional' : ''})
                        </option>
                      ))}
                    </optgroup>
                    <optgroup label="Levels">
                      {choices.levels.map((l) => (
                        <option key={l.id} value={`level:${l.id}`}>
                          {l.id} — {l.name}
                        </option>
                      ))}
                    </optgroup>
                  </select>
                </label>
                <label>
                  Reason
                  <select aria-label="Reason" value={reason} onChange={(e) => setReason(e.target.value as Reason)} required>
                    <option value="">Choose…</option>
                    {REASONS.map((r) => (
                      <option key={r} value={r}>
                        {reasonText(r)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <fieldset>
                <legend>When</legend>
                <label className="check">
                  <input type="radio" name={`${name}-when`} checked={timing === 'now'} onChange={() => setTiming('now')} /> Now — on what the ticket says
                </label>
                <label className="check">
                  <input type="radio" name={`${name}-when`} checked={timing === 'wait'} onChange={() => setTiming('wait')} /> Wait — escalate when a target is missed
                </label>
              </fieldset>
              <label>
                Summary
                <textarea aria-label="Summary" rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} required />
              </label>
              <div className="row wrap drill-fields">
                <label>
                  Steps taken
                  <textarea aria-label="Steps taken" rows={2} value={steps} onChange={(e) => setSteps(e.target.value)} />
                </label>
                <label>
                  Needs attention
                  <textarea aria-label="Needs attention" rows={2} value={attention} onChange={(e) => setAttention(e.target.value)} />
                </label>
              </div>
            </>
          )}
          {error && <p className="error">{error}</p>}
          <div className="row end">
            <button className="primary" type="submit" disabled={busy || escalate === null}>
              Submit decision
            </button>
          </div>
        </form>
      ) : null}
    </article>
  );
}

function PolicyAnswer({ expected }: { expected: Expected }) {
  return (
    <div className="drill-policy">
      <strong>The policy:</strong> {expected.escalate ? `escalate to ${expected.team} (${expected.level}), ${reasonText(expected.reason)}, ${expected.timing === 'now' ? 'at once' : `${after(expected.after_ms)} (wait)`}` : 'no escalation'}.
      <div className="small muted">{expected.explanation}</div>
    </div>
  );
}

function Feedback({ result, expected }: { result: { points: number; max: number; checks: ScoreCheck[] }; expected: Expected | null }) {
  const tone = result.points === result.max ? 'ok' : result.points === 0 ? 'bad' : 'part';
  return (
    <div className={`drill-feedback ${tone}`} role="status">
      <p className="drill-points">
        <strong>
          {result.points}/{result.max} points
        </strong>
      </p>
      <table className="drill-checks">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">You</th>
            <th scope="col">Policy</th>
            <th scope="col">Points</th>
          </tr>
        </thead>
        <tbody>
          {result.checks.map((c) => (
            <tr key={c.item} className={c.ok ? 'ok' : 'bad'}>
              <th scope="row">{ITEM[c.item]}</th>
              <td>{reasonText(c.given)}</td>
              <td>{reasonText(c.expected)}</td>
              <td>
                {c.ok ? '✓' : '✗'} {c.points}/{c.max}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {expected && <PolicyAnswer expected={expected} />}
    </div>
  );
}

export function DrillScoresPage({ id }: { id: string }) {
  const [data, setData] = useState<ScoreSheet | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getScores(id).then(setData, (e: unknown) => setError(errorText(e)));
  }, [id]);
  if (error) return <p className="error">Could not load the score sheet: {error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const s = data.scenario;
  return (
    <section className="drills">
      <p className="small">
        <Link to="/drills">← Drills</Link> · <Link to={`/drills/${id}`}>Tickets</Link>
      </p>
      <h1>Score sheet: {data.drill.name}</h1>
      <p className="muted">
        Scenario {data.drill.scenario} · {data.drill.tickets} tickets · policy version {data.drill.policy_version} · 5 points a ticket (escalate or not 2, target 1, reason 1, when 1)
      </p>
      <h2>Per trainee</h2>
      <table className="drill-table" aria-label="Per trainee">
        <thead>
          <tr>
            <th scope="col">Trainee</th>
            <th scope="col">Decided</th>
            <th scope="col">Escalate-or-not right</th>
            <th scope="col">Points</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {data.trainees.map((t) => (
            <tr key={t.user_id}>
              <th scope="row">{t.name}</th>
              <td>
                {t.decided}/{t.tickets}
                {t.complete ? '' : ' (in progress)'}
              </td>
              <td>
                {t.agreed}/{t.decided}
              </td>
              <td>
                {t.points}/{t.max}
              </td>
              <td>
                <meter min={0} max={100} value={t.percent} aria-label={`${t.name} score`} /> {t.percent}%
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Per ticket</h2>
      <table className="drill-table" aria-label="Per ticket">
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">What the policy does</th>
            <th scope="col">Decisions</th>
            <th scope="col">Escalate-or-not right</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {data.tickets.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                {t.ref}: {t.subject}
              </th>
              <td>
                {t.expected.escalate ? `${t.expected.team} (${t.expected.level}), ${reasonText(t.expected.reason)}, ${t.expected.timing === 'now' ? 'at once' : after(t.expected.after_ms)}` : 'no escalation'}
                <div className="muted small">{t.expected.rule ? `rule ${t.expected.rule}` : ''}</div>
              </td>
              <td>{t.decisions}</td>
              <td>
                {t.agreed}/{t.decisions}
              </td>
              <td>{t.decisions ? `${t.points}/${t.max} (${t.percent}%)` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>This scenario</h2>
      <p>
        Scenario <strong>{s.scenario}</strong>: {s.drills} drill{s.drills === 1 ? '' : 's'}, {s.trainees} trainee run{s.trainees === 1 ? '' : 's'}, {s.decisions} decisions, {s.points}/{s.max} points ({s.percent}%), escalate-or-not right {s.agreed}/{s.decisions}.
      </p>
    </section>
  );
}
