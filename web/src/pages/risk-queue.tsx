/**
 * "Likely to breach" (issue 14): open tickets the risk model in force scored, riskiest first,
 * each with its band, percentage and top reasons; filtered by team (my teams by default, as the
 * other queues) and by band. Refreshed every 10 s. When it is empty it says why: no model in
 * force (and how an admin activates one), or no open ticket scored yet.
 */
import { useState } from 'react';
import { errorText } from '../api.ts';
import { effectPoints, likelyToBreach, type RiskBand } from '../api/risk.ts';
import { ago, label } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { teamsOf } from '../policy-model.ts';
import { PriorityBadge, StatusBadge } from '../components/sla.tsx';
import { RiskBadge } from '../components/risk.tsx';
import { useNow, usePoll } from '../use-poll.ts';

const PAGE = 100;

export function RiskQueuePage() {
  const session = useSession();
  const model = session.policy?.model ?? null;
  const myTeams = model ? teamsOf(model, session.me.email).map((t) => t.id) : [];
  const allTeams = model?.teams.map((t) => t.id) ?? [];
  const mineValue = myTeams.join(',');
  const [team, setTeam] = useState<string>(mineValue);
  const [band, setBand] = useState<'' | RiskBand>('');
  const [limit, setLimit] = useState(PAGE);
  const now = useNow(10_000);
  const polled = usePoll(() => likelyToBreach({ ...(team && { team }), ...(band && { band }), limit }), [team, band, limit], 10_000);
  const r = polled.data;
  const items = r?.items ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>Likely to breach</h1>
        <p className="muted small" aria-live="polite">
          {polled.loading && !r ? 'Loading…' : `${items.length} ticket(s), riskiest first · refreshes every 10 s`}
        </p>
      </div>
      <p className="muted small">
        Open tickets by the probability that they {r?.model?.target === 'escalation' ? 'get escalated' : 'breach their SLA'}, as the risk model in force
        estimates it from what is known now{r?.model ? ` (model ${r.model.id.slice(0, 12)}, version ${r.model.version})` : ''}. Each row says what moved the score most.
      </p>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Team
          <select name="team" value={team} onChange={(e) => setTeam(e.target.value)}>
            {myTeams.length > 0 && <option value={mineValue}>my teams ({myTeams.join(', ')})</option>}
            <option value="">all teams</option>
            {allTeams.map((t) => (
              <option key={t} value={t}>
                {t}
                {myTeams.includes(t) ? ' (mine)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Risk
          <select name="band" value={band} onChange={(e) => setBand(e.target.value as '' | RiskBand)}>
            <option value="">any</option>
            <option value="medium">medium and high</option>
            <option value="high">high only</option>
          </select>
        </label>
      </form>
      {polled.error !== null && polled.error !== undefined && <p className="error">Could not refresh: {errorText(polled.error)}</p>}
      {r && !r.model && (
        <div className="notice" data-empty="no-model">
          <p>
            <strong>No risk model is in force</strong>, so no ticket has a score.
          </p>
          <p className="small">
            An admin trains one on the history (<code>escalon risk train --from-db --out MODEL.json</code>) and activates it with <code>escalon risk use MODEL.json</code>; open tickets
            are then scored on every change.
          </p>
        </div>
      )}
      {r?.model && (
        <div className="table-wrap">
          <table className="queue">
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Risk</th>
                <th scope="col">Why</th>
                <th scope="col">Priority</th>
                <th scope="col">Level · team</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr
                  key={t.id}
                  data-ticket={t.key}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('a')) return;
                    navigate(`/tickets/${t.key}`);
                  }}
                >
                  <td>
                    <Link to={`/tickets/${t.key}`} className="key">
                      {t.key}
                    </Link>
                    <div className="subject">{t.subject}</div>
                  </td>
                  <td data-label="Risk">
                    <RiskBadge score={t.risk.score} band={t.risk.band} at={t.risk.at} model={t.risk.model} />
                  </td>
                  <td data-label="Why" className="risk-why">
                    <ul>
                      {t.risk.reasons.map((x) => (
                        <li key={x.feature}>
                          {effectPoints(x.effect)} {x.feature}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label="Priority">
                    <PriorityBadge priority={t.priority} />
                  </td>
                  <td data-label="Level · team">
                    {t.level ?? '—'} · {t.team ?? '—'}
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={t.status} />
                  </td>
                  <td data-label="Updated" className="muted">
                    {ago(t.updated_at, now)}
                  </td>
                </tr>
              ))}
              {items.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted empty" data-empty="no-scores">
                    No open ticket {team ? `of ${team.split(',').map(label).join(', ')} ` : ''}
                    {band ? `at ${band} risk or above ` : ''}has a score yet. Tickets are scored on their next change and at a regular interval after the model is activated.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {r?.next_cursor && (
        <p>
          <button onClick={() => setLimit(Math.min(500, limit + PAGE))} disabled={limit >= 500}>
            Show more
          </button>
        </p>
      )}
    </section>
  );
}
