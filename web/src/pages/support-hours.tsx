/**
 * The public support hours page: when support works (per calendar, in its time zone), the
 * upcoming holidays, and the response and resolution targets per customer tier — all from
 * GET /support-hours, i.e. generated from the policy in force.
 */
import { useEffect, useState } from 'react';
import { errorText, get, type SupportHours } from '../api.ts';
import { Link } from '../router.tsx';

const DAYS: Array<[string, string]> = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
];
const METRICS: Array<['first_response' | 'next_response' | 'periodic_update' | 'resolution', string]> = [
  ['first_response', 'First reply'],
  ['next_response', 'Next reply'],
  ['periodic_update', 'Updates every'],
  ['resolution', 'Resolution'],
];
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/[-_]/g, ' ');

export function SupportHoursPage() {
  const [data, setData] = useState<SupportHours | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get('/support-hours').then(setData, (e: unknown) => setError(errorText(e)));
  }, []);
  if (error) return <p className="error">Could not load the support hours: {error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <section className="support-hours">
      <h1>Support hours and response targets</h1>
      {data.policy_version === null && <p className="muted">No support policy is published yet.</p>}
      <div className="sh-grid">
        {data.calendars.map((c) => (
          <article key={c.id} className="card" data-calendar={c.id}>
            <h2>
              {title(c.id)} <span className="muted small">{c.time_zone}</span>
            </h2>
            {c.always_open ? (
              <p>Around the clock, every day.</p>
            ) : (
              <table className="sh-hours">
                <tbody>
                  {DAYS.map(([d, name]) => (
                    <tr key={d}>
                      <th scope="row">{name}</th>
                      <td>{c.hours[d]?.length ? c.hours[d].map((h) => h.replace('-', '–')).join(', ') : <span className="muted">closed</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {c.upcoming_holidays.length > 0 && (
              <p className="small">
                Closed on holidays: {c.upcoming_holidays.map((h) => new Date(`${h}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })).join(' · ')}
              </p>
            )}
          </article>
        ))}
      </div>
      {data.tiers.map((t) => (
        <article key={t.sla_policy} className="card" data-tier={t.sla_policy}>
          <h2>
            {title(t.applies_to)} <span className="muted small">· {t.calendar === 'always' ? 'around the clock' : `${title(t.calendar)} hours, ${t.time_zone}`}</span>
          </h2>
          <table className="sh-targets">
            <thead>
              <tr>
                <th scope="col">Priority</th>
                {METRICS.map(([, label]) => (
                  <th key={label} scope="col">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.targets.map((row) => (
                <tr key={row.priority}>
                  <th scope="row">{title(row.priority)}</th>
                  {METRICS.map(([m]) => (
                    <td key={m}>{row[m]?.text ?? <span className="muted">—</span>}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
      <p className="muted small">
        Targets count support hours of the calendar shown (business hours exclude nights, weekends and holidays). Need help? <Link to="/contact">Contact support</Link> or{' '}
        <Link to="/login">sign in</Link>.
      </p>
    </section>
  );
}
