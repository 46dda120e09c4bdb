/**
 * The quick-reference guide: one page generated from the policy in force (GET /quick-reference)
 * — who handles what, when a ticket escalates and to whom, response targets per tier, hours and
 * holidays, who is on call now, the checklists. Printable: quick-reference.css has an A4 print
 * stylesheet (no navigation, tables that wrap instead of overflowing, rows never split).
 */
import { useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { getQuickReference, type QuickReference } from '../api/drills.ts';
import '../quick-reference.css';

const DAYS: Array<[string, string]> = [
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['sun', 'Sun'],
];
const METRICS = [
  ['first_response', 'First reply'],
  ['next_response', 'Next reply'],
  ['periodic_update', 'Updates every'],
  ['resolution', 'Resolution'],
] as const;

export function QuickReferencePage() {
  const [data, setData] = useState<QuickReference | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getQuickReference().then(setData, (e: unknown) => setError(errorText(e)));
  }, []);
  if (error) return <p className="error">Could not load the quick reference: {error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  if (data.policy_version === null) return <p className="notice">No escalation policy is applied yet: the quick reference is generated from the policy in force.</p>;
  const onCall = data.levels.flatMap((l) => l.teams).filter((t) => t.on_call);
  return (
    <article className="qr">
      <header className="qr-head">
        <div>
          <h1>Escalation quick reference</h1>
          <p className="muted small">
            Policy version {data.policy_version} · generated {new Date(data.generated_at).toLocaleString()}
          </p>
        </div>
        <button className="primary no-print" onClick={() => window.print()}>
          Print
        </button>
      </header>

      <section className="qr-section" aria-labelledby="qr-who">
        <h2 id="qr-who">Who handles what</h2>
        <table className="qr-table">
          <thead>
            <tr>
              <th scope="col">Level</th>
              <th scope="col">Team</th>
              <th scope="col">People</th>
              <th scope="col">Lead / manager</th>
              <th scope="col">Handles</th>
            </tr>
          </thead>
          <tbody>
            {data.levels.flatMap((l) =>
              (l.teams.length ? l.teams : [null]).map((t, i) => (
                <tr key={`${l.id}-${t?.id ?? 'none'}`}>
                  {i === 0 && (
                    <th scope="row" rowSpan={Math.max(1, l.teams.length)}>
                      {l.id}
                      <div className="muted small">{l.name}</div>
                    </th>
                  )}
                  <td>{t ? <strong>{t.id}</strong> : <span className="muted">no team</span>}{t?.calendar && <div className="muted small">hours: {t.calendar}</div>}</td>
                  <td className="wrap">{t?.members.join(', ')}</td>
                  <td className="wrap">{[t?.lead, t?.manager].filter(Boolean).join(' / ') || <span className="muted">—</span>}</td>
                  <td>{t ? (t.kind === 'functional' ? `by subject: ${t.skills.join(', ') || 'functional'}` : 'by rung (hierarchical)') : ''}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </section>

      <section className="qr-section" aria-labelledby="qr-oncall">
        <h2 id="qr-oncall">On call now</h2>
        {onCall.length === 0 ? (
          <p className="muted">No team keeps an on-call rotation.</p>
        ) : (
          <ul className="qr-oncall">
            {onCall.map((t) => (
              <li key={t.id}>
                <strong>{t.id}</strong>: {t.on_call?.now ?? 'nobody'} <span className="muted small">(rotation {t.on_call?.rotation.join(' → ')})</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="qr-section" aria-labelledby="qr-rules">
        <h2 id="qr-rules">When a ticket escalates, and to whom</h2>
        <table className="qr-table qr-rules">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">When</th>
              <th scope="col">If</th>
              <th scope="col">Then</th>
            </tr>
          </thead>
          <tbody>
            {data.rules.map((r) => (
              <tr key={r.id} className={r.escalates_to ? 'escalates' : undefined}>
                <th scope="row">{r.id}</th>
                <td>{r.when}</td>
                <td className="wrap">{r.condition ?? <span className="muted">always</span>}</td>
                <td className="wrap">
                  {r.does.join('; ')}
                  {r.requires_acknowledgement && <div className="small">The receiving team must acknowledge.</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.customer_requests && (
          <p className="small">
            A customer asking to escalate goes to <strong>{data.customer_requests.to}</strong>; another request within {data.customer_requests.limit} is recorded, not escalated
            {data.customer_requests.requires_acknowledgement ? '; it must be acknowledged' : ''}.
          </p>
        )}
      </section>

      <section className="qr-section" aria-labelledby="qr-targets">
        <h2 id="qr-targets">Response targets per tier</h2>
        <div className="qr-grid">
          {data.support.tiers.map((tier) => (
            <div key={tier.sla_policy} className="qr-block">
              <h3>
                {tier.sla_policy} <span className="muted small">({tier.applies_to}; {tier.calendar}, {tier.time_zone})</span>
              </h3>
              <table className="qr-table">
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    {METRICS.map(([, label]) => (
                      <th scope="col" key={label}>
                        {label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {tier.targets.map((row) => (
                    <tr key={row.priority}>
                      <th scope="row">{row.priority}</th>
                      {METRICS.map(([m]) => (
                        <td key={m}>{row[m]?.text ?? <span className="muted">—</span>}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </div>
      </section>

      <section className="qr-section" aria-labelledby="qr-hours">
        <h2 id="qr-hours">Hours and holidays</h2>
        <table className="qr-table">
          <thead>
            <tr>
              <th scope="col">Calendar</th>
              {DAYS.map(([, d]) => (
                <th scope="col" key={d}>
                  {d}
                </th>
              ))}
              <th scope="col">Holidays ahead</th>
            </tr>
          </thead>
          <tbody>
            {data.support.calendars.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.id}
                  <div className="muted small">{c.time_zone}</div>
                </th>
                {c.always_open ? (
                  <td colSpan={7}>around the clock</td>
                ) : (
                  DAYS.map(([d]) => <td key={d}>{c.hours[d]?.length ? c.hours[d].join(', ') : <span className="muted">closed</span>}</td>)
                )}
                <td className="wrap">{c.upcoming_holidays.join(', ') || <span className="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="qr-section" aria-labelledby="qr-checklists">
        <h2 id="qr-checklists">Checklists</h2>
        {data.checklists.length === 0 ? (
          <p className="muted">This policy has no checklists.</p>
        ) : (
          <div className="qr-grid">
            {data.checklists.map((c) => (
              <div key={c.id} className="qr-block">
                <h3>
                  {c.title} <span className="muted">— when escalated for {c.id.replace(/_/g, ' ')}</span>
                </h3>
                <ul className="qr-checklist">
                  {c.items.map((item, i) => (
                    <li key={i}>
                      {item.text}
                      {item.required ? <strong className="qr-required"> (required)</strong> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        )}
      </section>
    </article>
  );
}
