/**
 * The outbox claim (notify/outbox-queue.ts claimStatement) on a large outbox: its plan
 * (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, inside a rolled-back
 * transaction) and its time, so the "no earlier row to the same destination in flight" probe is
 * seen to read the partial index outbox_destination_order, not the history.
 *
 * Data: 300,000 rows over 20,000 tickets — 285,000 sent (history: emails to agents and the
 * requester, webhooks), and, for 3,000 tickets, a failing webhook row retrying later plus a
 * second webhook row behind it (blocked), an email due now (claimable) and a held row.
 * Foreign keys are off for the load (no ticket rows needed).
 *
 * Run: [LIVE_TICKETS=3000] npx tsx bench/outbox-claim.bench.ts [sqlite|postgres] (postgres: ESCALON_BENCH_PG_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres; a database is created and dropped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { destinationKey } from '../src/domain/outbox-destination.ts';
import { claimDue, claimStatement } from '../src/notify/outbox-queue.ts';
import { openStore, type Store } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';

const TICKETS = 20_000;
const HISTORY_PER_TICKET = 14;
const LIVE_TICKETS = Number(process.env.LIVE_TICKETS ?? 3_000);
const NOW = Date.UTC(2026, 10, 26, 12, 0);
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';

type Row = Record<string, unknown>;

function row(ticket: string, channel: string, recipient: string, status: string, at: number, next = at): Row {
  return {
    id: newId(at),
    ticket_id: ticket,
    channel,
    recipient,
    destination: destinationKey(channel, recipient),
    template: 'idle-reminder',
    payload: '{"audience":"internal"}',
    status,
    attempts: status === 'pending' ? 0 : 1,
    next_attempt_at: next,
    created_at: at,
    last_error: null,
    sent_at: status === 'sent' ? at : null,
  };
}

async function load(store: Store): Promise<number> {
  let batch: Row[] = [];
  let total = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await store.db
      .insertInto('outbox')
      .values(batch as never)
      .execute();
    total += batch.length;
    batch = [];
  };
  for (let t = 0; t < TICKETS; t++) {
    const ticket = `ticket-${String(t).padStart(6, '0')}`;
    const start = NOW - 30 * 86_400_000 + t * 60_000;
    for (let i = 0; i < HISTORY_PER_TICKET; i++) {
      const kind = i % 3;
      batch.push(
        row(
          ticket,
          kind === 2 ? 'webhook' : 'email',
          kind === 0
            ? `agent${t % 50}@example.com`
            : kind === 1
              ? `customer${t}@example.org`
              : 'https://hooks.example.com/escalon',
          'sent',
          start + i * 1000,
        ),
      );
    }
    if (t < LIVE_TICKETS) {
      const at = NOW - 600_000 + t;
      batch.push(row(ticket, 'webhook', 'https://hooks.example.com/escalon', 'pending', at, NOW + 300_000)); // retrying later
      batch.push(row(ticket, 'webhook', 'https://hooks.example.com/escalon', 'pending', at + 1)); // behind it: blocked
      batch.push(row(ticket, 'email', `customer${t}@example.org`, 'pending', at + 2)); // another destination: claimable
      batch.push(row(ticket, 'email', `lead${t % 10}@example.com`, 'held', at + 3, NOW + 60_000)); // held, not due
    }
    if (batch.length >= 2000) await flush();
  }
  await flush();
  return total;
}

async function main(): Promise<void> {
  let store: Store;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'escalon-claim-'));
    store = openStore(`sqlite:${join(dir, 'bench.db')}`);
    await migrateToLatest(store);
    await sql`pragma foreign_keys = off`.execute(store.db);
    cleanup = async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const admin = process.env.ESCALON_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `escalon_claim_bench_${process.pid}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    store = openStore(u.toString(), { poolSize: 1 });
    await migrateToLatest(store);
    await sql`set session_replication_role = replica`.execute(store.db); // no FK triggers during the load
    cleanup = async () => {
      await store.close();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  try {
    const t0 = performance.now();
    const total = await load(store);
    if (dialect === 'postgres') await sql`analyze outbox`.execute(store.db);
    else await sql`analyze`.execute(store.db);
    console.log(
      `${dialect}: ${total} outbox rows loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const stmt = claimStatement(dialect, NOW, 15_000, 64, 'bench');
    if (dialect === 'sqlite') {
      const plan = await sql<{ detail: string }>`explain query plan ${stmt}`.execute(store.db);
      console.log('plan:\n  ' + plan.rows.map((r) => r.detail).join('\n  '));
    } else {
      await store.db
        .transaction()
        .execute(async (trx) => {
          const plan = await sql<{
            'QUERY PLAN': string;
          }>`explain (analyze, buffers, costs off) ${stmt}`.execute(trx);
          console.log('plan:\n  ' + plan.rows.map((r) => r['QUERY PLAN']).join('\n  '));
          throw new Error('rollback');
        })
        .catch((err: Error) => {
          if (err.message !== 'rollback') throw err;
        });
    }

    // Time: claim 64 at a time until nothing is claimable (every claimable email), then the empty claim.
    const times: number[] = [];
    let claimed = 0;
    const blocked = new Set<string>();
    for (;;) {
      const s = performance.now();
      const rows = await claimDue(store.db, dialect, NOW, 15_000, 64, 'bench');
      times.push(performance.now() - s);
      if (rows.length === 0) break;
      claimed += rows.length;
      for (const r of rows) if (r.channel === 'webhook') blocked.add(r.id);
      await store.db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: NOW, lease_until: null })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) =>
      (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
    console.log(
      `${dialect}: ${claimed} rows claimed in ${times.length} claims (64 per claim); claim time median ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms; the empty claim at the end ${times.at(-1)?.toFixed(1)} ms`,
    );
    console.log(
      `${dialect}: webhook rows claimed while the earlier webhook row of their ticket retries: ${blocked.size} (must be 0)`,
    );
  } finally {
    await cleanup();
  }
}

await main();
