/**
 * Migration 0015 on a database that already has outbox rows: every row gets its destination,
 * rows still in play exactly as the application computes it for new rows (so order holds
 * across the upgrade), and the claim orders per destination afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { destinationKey } from '../../src/domain/outbox-destination.ts';
import { claimDue } from '../../src/notify/outbox-queue.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { ADMIN_URL, pgUnavailable } from '../helpers/db.ts';

const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';
const TARGET = '0015-outbox-destination-order';
const BEFORE = Object.keys(MIGRATIONS)
  .filter((k) => k < TARGET)
  .sort()
  .at(-1) as string;

async function migrateTo(store: Store, name: string): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [k, up] of Object.entries(MIGRATIONS))
    migrations[k] = { up: (db: Kysely<unknown>) => up(db, store.dialect) };
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

async function emptyDatabase(
  dialect: 'sqlite' | 'postgres',
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'escalon-mig-'));
    return {
      url: `sqlite:${join(dir, 'm.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `escalon_mig_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const unavailable = dialect === 'postgres' ? pgUnavailable : null;
  const title = `migration 0015 backfills outbox destinations [${dialect}]`;
  if (unavailable && REQUIRED) {
    describe(title, () =>
      it('needs PostgreSQL (ESCALON_REQUIRE_ALL_SUITES=1)', () => {
        throw new Error(unavailable);
      }),
    );
    continue;
  }
  describe.skipIf(unavailable !== null)(title, () => {
    it('existing rows get their destination; live rows exactly as new rows would; the claim then orders per destination', async () => {
      const created = await emptyDatabase(dialect);
      const store = openStore(created.url, { poolSize: 2 });
      try {
        await migrateTo(store, BEFORE);
        const at = Date.UTC(2026, 10, 1);
        // Rows without a ticket (no foreign key to satisfy); order per ticket and destination is
        // exercised in test/security/outbox-ordering.test.ts.
        const rows = [
          {
            id: 'r1',
            channel: 'webhook',
            recipient: 'https://Hooks.example.com/Escalon',
            status: 'pending',
            next: at + 3_600_000,
          },
          {
            id: 'r2',
            channel: 'email',
            recipient: ' Élodie.Dupont@Example.COM ',
            status: 'pending',
            next: at,
          },
          { id: 'r3', channel: 'sms', recipient: '+15551234567', status: 'held', next: at },
          { id: 'r4', channel: 'email', recipient: 'Lina@Example.com', status: 'sent', next: at },
          {
            id: 'r5',
            channel: 'email',
            recipient: 'x'.repeat(500) + '@example.com',
            status: 'waiting',
            next: at,
          },
        ];
        const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
        for (const [i, r] of rows.entries()) {
          await db
            .insertInto('outbox')
            .values({
              id: r.id,
              ticket_id: null,
              channel: r.channel,
              recipient: r.recipient,
              template: 'idle-reminder',
              payload: '{}',
              status: r.status,
              attempts: 0,
              next_attempt_at: r.next,
              created_at: at + i,
              last_error: null,
            })
            .execute();
        }
        await migrateToLatest(store);
        const after = await store.db
          .selectFrom('outbox')
          .select(['id', 'channel', 'recipient', 'destination', 'status'])
          .orderBy('id')
          .execute();
        for (const r of after) {
          if (r.status === 'sent') expect(r.destination).toBe('email:lina@example.com');
          else expect(r.destination, r.id).toBe(destinationKey(r.channel, r.recipient));
        }
        expect(after.find((r) => r.id === 'r2')?.destination).toBe('email:élodie.dupont@example.com');
        expect(after.find((r) => r.id === 'r5')?.destination).toHaveLength(400);
        // Due now: r2 (r3 is held and due too); r1 retries later. Rows without a ticket never wait for others.
        const claimed = await claimDue(store.db, store.dialect, at + 1, 10_000, 10, 'test');
        expect(claimed.map((r) => r.id).sort()).toEqual(['r2', 'r3']);
      } finally {
        await store.close();
        await created.drop();
      }
    }, 120_000);
  });
}
