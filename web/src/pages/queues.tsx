/**
 * Agent queues: waiting for my acknowledgement (first), my tickets, my teams (every team I am
 * in, lead or manage, by default), escalated (unacknowledged first, as the server orders them)
 * and breaching soon. Each row: key, subject, priority, level, team, status and the
 * live SLA countdown. Refreshed every 5 s by polling; filters and search in the URL-less
 * toolbar above the table.
 */
import { useState } from 'react';
import { get, PRIORITIES, STATUSES } from '../api.ts';
import { ago, label } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { teamsOf } from '../policy-model.ts';
import { Countdown, PriorityBadge, StatusBadge, summarise, useSlaViews } from '../components/sla.tsx';
import { useNow, usePoll } from '../use-poll.ts';
import { ListRiskBadge } from '../components/risk.tsx';

const VIEWS: Array<[string, string]> = [
  ['awaiting', 'Waiting for my acknowledgement'],
  ['mine', 'My tickets'],
  ['team', 'My teams'],
  ['escalated', 'Escalated'],
  ['breaching', 'Breaching soon'],
];
const OPEN = 'new,open,pending,on_hold';

export function QueuesPage({ view }: { view: string }) {
  const session = useSession();
  const model = session.policy?.model ?? null;
  const myTeams = model ? teamsOf(model, session.me.email).map((t) => t.id) : [];
  const allTeams = model?.teams.map((t) => t.id) ?? [];
  // A lead or manager of several teams sees all of them by default (the API takes team=a,b).
  const mineValue = myTeams.join(',');
  const [team, setTeam] = useState<string>(mineValue);
  const [priority, setPriority] = useState('');
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [within, setWithin] = useState(60);
  const now = useNow(1000);

  const effectiveTeam = view === 'mine' || view === 'awaiting' ? '' : team;
  const polled = usePoll(
    async () => {
      if (view === 'mine' || view === 'team') {
        if (view === 'team' && !effectiveTeam) return [];
        const r = await get('/tickets', {
          params: { query: { assignee: view === 'mine' ? 'me' : undefined, team: effectiveTeam || undefined, status: status || OPEN, priority: priority || undefined, q: search.trim() || undefined, limit: 100 } },
        });
        return r.items;
      }
      const query = { team: effectiveTeam || undefined, limit: 100 };
      const r =
        view === 'awaiting'
          ? await get('/queues/awaiting-ack', { params: { query } })
          : view === 'escalated'
            ? await get('/queues/escalated', { params: { query } })
            : await get('/queues/breaching', { params: { query: { ...query, within_minutes: within } } });
      const s = search.trim().toLowerCase();
      return r.items.filter((t) => (!priority || t.priority === priority) && (!status || t.status === status) && (!s || t.key.toLowerCase() === s || `${t.subject} ${t.body}`.toLowerCase().includes(s)));
    },
    [view, effectiveTeam, priority, status, search, within],
    5000,
  );
  const awaiting = usePoll(async () => (await get('/queues/awaiting-ack', { params: { query: { limit: 100 } } })).items.length, [], 5000);
  const tickets = polled.data;
  const slas = useSlaViews(tickets);
  const title = VIEWS.find(([v]) => v === view)?.[1] ?? 'Queue';

  return (
    <section>
      <div className="page-head">
        <h1>{title}</h1>
        <p className="muted small" aria-live="polite">
          {polled.loading ? 'Loading…' : `${tickets?.length ?? 0} ticket(s) · refreshes every 5 s`}
        </p>
      </div>
      <nav className="tabs" aria-label="Queues">
        {VIEWS.map(([v, text]) => (
          <Link key={v} to={`/queues/${v}`} aria-current={v === view ? 'page' : undefined}>
            {text}
            {v === 'awaiting' && awaiting.data ? <span className="badge ack count">{awaiting.data}</span> : null}
          </Link>
        ))}
      </nav>
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" name="q" placeholder="key or text" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        {view !== 'mine' && view !== 'awaiting' && (
          <label>
            Team
            <select name="team" value={team} onChange={(e) => setTeam(e.target.value)}>
              {myTeams.length > 1 && <option value={mineValue}>my teams ({myTeams.join(', ')})</option>}
              {view !== 'team' && <option value="">all teams</option>}
              {allTeams.map((t) => (
                <option key={t} value={t}>
                  {t}
                  {myTeams.includes(t) ? ' (mine)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Priority
          <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">any</option>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">open ones</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
        </label>
        {view === 'breaching' && (
          <label>
            Within (minutes)
            <input type="number" name="within" min={1} max={10080} value={within} onChange={(e) => setWithin(Math.max(1, Number(e.target.value) || 60))} />
          </label>
        )}
      </form>
      {polled.error !== null && polled.error !== undefined && <p className="error">Could not refresh: {String((polled.error as Error).message ?? polled.error)}</p>}
      {view === 'team' && !effectiveTeam && <p className="notice">You are in no team of the active policy; pick one above.</p>}
      {view === 'awaiting' && <p className="muted small">Escalations that wait for an acknowledgement you may give (as a member, lead or manager of the receiving team, its assignee, or a manager), oldest first.</p>}
      <div className="table-wrap">
        <table className="queue">
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Priority</th>
              <th scope="col">Level · team</th>
              <th scope="col">Status</th>
              <th scope="col">Next SLA moment</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {(tickets ?? []).map((t) => {
              const sla = summarise(slas.get(t.key), model, now);
              return (
                <tr key={t.id} data-ticket={t.key} className={sla.ackPending ? 'unacked' : undefined} onClick={(e) => {
                  if ((e.target as HTMLElement).closest('a')) return;
                  navigate(`/tickets/${t.key}`);
                }}>
                  <td>
                    <Link to={`/tickets/${t.key}`} className="key">
                      {t.key}
                    </Link>{' '}
                    {sla.ackPending && <span className="badge ack">unacknowledged</span>}
                    <ListRiskBadge ticket={t} />
                    <div className="subject">{t.subject}</div>
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
                  <td data-label="SLA">
                    <Countdown summary={sla} now={now} />
                  </td>
                  <td data-label="Updated" className="muted">
                    {ago(t.updated_at, now)}
                  </td>
                </tr>
              );
            })}
            {tickets && tickets.length === 0 && (
              <tr>
                <td colSpan={6} className="muted empty">
                  Nothing in this queue.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
