/**
 * Keeps short claim leases alive while their owner works (issue 12, finding 13).
 *
 * Timers (timers-repo.ts) and outbox rows (notify/outbox-queue.ts) are claimed with a lease:
 * owner + lease_until. A lease used to be long (30 s for timers, 120 s for outbox rows) so that
 * a slow batch would not lose it, and a dead node's claims then waited out those 30 s / 120 s.
 * Now a lease is short (seconds) and its owner renews it on an interval while the batch is in
 * flight; when the owner dies, renewals stop and another node takes the rows over as soon as
 * the short lease runs out.
 *
 * Why leases and not PostgreSQL advisory locks: a session-level advisory lock belongs to one
 * connection, and the store is a pool — the lock would have to be taken, held and released on
 * one checked-out connection (and would leak onto the next user of that connection if a
 * release failed), and behind a transaction-pooling proxy it would not hold at all. It is also
 * released only when the server notices the session is gone: at once for a killed process,
 * but only after TCP keepalive (hours by default) for a node that lost power or network.
 * A lease needs no session affinity and bounds the takeover for every way of dying.
 *
 * Correctness never rests on the lease: a timer is re-checked under its ticket's row lock and
 * an outbox message keeps its id (receivers dedupe), so a lease lost to a stalled owner costs
 * duplicate work, not a double firing. Renewals run one at a time (a slow one is not stacked)
 * and a late one is harmless: it only touches rows still claimed by this owner.
 */
export interface LeaseKeeper {
  /** Stops renewing (the work is done). Does not wait for a renewal in flight. */
  stop(): void;
}

export function keepLeases(
  renew: () => Promise<unknown>,
  everyMs: number,
  onError?: (err: unknown) => void,
): LeaseKeeper {
  let stopped = false;
  let inFlight = false;
  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = true;
    renew()
      .catch((err: unknown) => onError?.(err))
      .finally(() => {
        inFlight = false;
      });
  }, everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
