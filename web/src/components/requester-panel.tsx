/**
 * Who asked (staff only): the requester's name, email and phone (when they wrote from one), their organization with its tier and
 * contract value, and their other tickets. Reads GET /tickets/:ref/requester, shared with the
 * customer-cues panel (one request per ticket version).
 */
import { get, type RequesterView } from '../api.ts';
import { money, when } from '../format.ts';
import { Link } from '../router.tsx';
import { StatusBadge } from './sla.tsx';
import { usePoll } from '../use-poll.ts';

const pending = new Map<string, Promise<RequesterView>>();

/** The requester view of one ticket version; both panels share the one request. */
export function useRequesterView(ticketKey: string, version: number) {
  return usePoll(
    () => {
      const id = `${ticketKey}@${version}`;
      let p = pending.get(id);
      if (!p) {
        p = get('/tickets/{ticketRef}/requester', { params: { path: { ticketRef: ticketKey } } });
        pending.set(id, p);
        // Forget it soon: a later poll (another change, or the fallback timer) reads afresh.
        void p.finally(() => setTimeout(() => pending.delete(id), 1000)).catch(() => undefined);
      }
      return p;
    },
    [ticketKey, version],
    0,
  );
}

export function RequesterPanel({ ticketKey, version }: { ticketKey: string; version: number }) {
  const polled = useRequesterView(ticketKey, version);
  const v = polled.data;
  return (
    <section className="card requester" aria-label="Requester">
      <h2>Requester</h2>
      {!v && <p className="muted small">{polled.error ? 'Could not load the requester.' : 'Loading…'}</p>}
      {v && (
        <>
          {v.requester ? (
            <p>
              <strong>{v.requester.name}</strong>
              {v.requester.email && (
                <>
                  <br />
                  <a href={`mailto:${v.requester.email}`} className="small">
                    {v.requester.email}
                  </a>
                </>
              )}
              {v.requester.phone && (
                <>
                  <br />
                  <a href={`tel:${v.requester.phone}`} className="small">
                    {v.requester.phone}
                  </a>
                </>
              )}
            </p>
          ) : (
            <p className="muted small">No requester on record.</p>
          )}
          {v.organization && (
            <p>
              <span className="org-name">{v.organization.name}</span> <span className={`badge tier-${v.organization.tier}`}>{v.organization.tier}</span>
              <br />
              <span className="small">Contract value {money(v.organization.contract_value)} a year</span>
              {v.organization.account_manager && (
                <>
                  <br />
                  <span className="small muted">Account manager {v.organization.account_manager}</span>
                </>
              )}
            </p>
          )}
          <h3 className="small">Their other tickets</h3>
          <ul className="plain small">
            {v.other_tickets.slice(0, 8).map((o) => (
              <li key={o.key}>
                <Link to={`/tickets/${o.key}`}>{o.key}</Link> {o.subject} <StatusBadge status={o.status} /> <span className="muted">{when(o.created_at)}</span>
              </li>
            ))}
            {v.other_tickets.length === 0 && <li className="muted">none</li>}
          </ul>
        </>
      )}
    </section>
  );
}
