/**
 * Live updates across nodes (PostgreSQL): every transaction that changed tickets announces them
 * on the `escalon_tickets` channel with pg_notify, in the same transaction — so the
 * notification is delivered when (and only if) it commits. The notify is not one more round
 * trip: it is sent in the same simple-protocol query as the COMMIT (`select pg_notify(…);
 * commit`), by the PostgreSQL driver below, for the transaction that `withTicketNotice` opened.
 *
 * Payload: `{"n":node,"o":{organizationId:[key,…],…}}` — the sending node's id (a node skips its
 * own: its local feed announced those already) and ticket keys per organization; never a
 * ticket's content (a listener reads it through the API, which enforces access). PostgreSQL caps
 * a payload at 8000 bytes: a transaction that changed many tickets (a batch of timer firings)
 * sends several notifications of at most NOTIFY_BYTES each.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, PostgresDriver, PostgresDialect, type DatabaseConnection, type Driver, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import pg from 'pg';

export const TICKETS_CHANNEL = 'escalon_tickets';

/** Bytes per notification, below PostgreSQL's 8000 (with room for the envelope). */
export const NOTIFY_BYTES = 7_000;

export interface TicketNotice {
  key: string;
  organizationId: string;
}

export interface HeardNotice {
  node: string;
  changes: TicketNotice[];
}

/** The payloads announcing `changes` from `node`, each under NOTIFY_BYTES. */
export function encodeNotices(node: string, changes: Iterable<TicketNotice>): string[] {
  const out: string[] = [];
  const head = `{"n":${JSON.stringify(node)},"o":{`;
  let orgs = new Map<string, string[]>();
  let size = head.length + 2;
  const emit = () => {
    if (orgs.size === 0) return;
    out.push(`${head}${[...orgs].map(([org, keys]) => `${JSON.stringify(org)}:[${keys.join(',')}]`).join(',')}}}`);
    orgs = new Map();
    size = head.length + 2;
  };
  for (const c of changes) {
    const key = JSON.stringify(c.key);
    let keys = orgs.get(c.organizationId);
    const cost = key.length + 1 + (keys ? 0 : JSON.stringify(c.organizationId).length + 4);
    if (size + cost > NOTIFY_BYTES) emit();
    keys = orgs.get(c.organizationId);
    if (!keys) {
      orgs.set(c.organizationId, (keys = []));
      size += JSON.stringify(c.organizationId).length + 4;
    }
    keys.push(key);
    size += key.length + 1;
  }
  emit();
  return out;
}

/** A notification's payload read back; undefined for anything else (ignored, never thrown). */
export function decodeNotice(payload: string): HeardNotice | undefined {
  try {
    const v = JSON.parse(payload) as { n?: unknown; o?: unknown };
    if (typeof v.n !== 'string' || typeof v.o !== 'object' || v.o === null) return undefined;
    const changes: TicketNotice[] = [];
    for (const [organizationId, keys] of Object.entries(v.o as Record<string, unknown>)) {
      if (!Array.isArray(keys)) continue;
      for (const key of keys) if (typeof key === 'string') changes.push({ key, organizationId });
    }
    return { node: v.n, changes };
  } catch {
    return undefined;
  }
}

/** The transaction being run by withTicketNotice: its connection (set at BEGIN) and what to announce at COMMIT. */
interface Pending {
  connection?: DatabaseConnection;
  payloads: () => string[];
}

const pending = new AsyncLocalStorage<Pending>();

/**
 * Runs `open` (which opens ONE transaction through a store's Kysely instance) so that the
 * transaction's COMMIT carries `payloads()` as pg_notify calls, in the same round trip. Only the
 * first transaction begun inside `open` is concerned; on SQLite nothing happens.
 */
export function withTicketNotice<T>(payloads: () => string[], open: () => Promise<T>): Promise<T> {
  return pending.run({ payloads }, open);
}

/** The COMMIT of a transaction, with its notifications in front (one simple-protocol query). */
export function commitSql(payloads: readonly string[]): string {
  if (payloads.length === 0) return 'commit';
  return `select ${payloads.map((p) => `pg_notify('${TICKETS_CHANNEL}', ${pg.escapeLiteral(p)})`).join(', ')}; commit`;
}

class NotifyingPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const p = pending.getStore();
    if (p && !p.connection) p.connection = connection;
    await super.beginTransaction(connection, settings);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const p = pending.getStore();
    const payloads = p && p.connection === connection ? p.payloads() : [];
    if (payloads.length === 0) return super.commitTransaction(connection);
    // If the transaction had been aborted, the select fails and Kysely rolls back: nothing is announced.
    await connection.executeQuery(CompiledQuery.raw(commitSql(payloads)));
  }
}

/** Kysely's PostgreSQL dialect whose COMMIT carries the transaction's ticket notifications. */
export class NotifyingPostgresDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new NotifyingPostgresDriver(this.settings);
  }
}
