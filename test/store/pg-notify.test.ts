// The PostgreSQL listener (store/pg-notify.ts): notifications are delivered at the sender's
// commit, not before and not after a rollback; a lost connection is re-opened, its subscribers
// told (they must assume they missed something), and delivery resumes. The store's change watch
// serves nothing from cache while its listener is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { watchOf } from '../../src/store/change-watch.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { notify, pgListener, type PgListener } from '../../src/store/pg-notify.ts';
import { createPostgresDatabase, pgUnavailable } from '../helpers/db.ts';

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(pgUnavailable !== null)('pg-notify listener [postgres]', () => {
  let url = '';
  let drop: () => Promise<void> = async () => undefined;
  let store: Store;
  let listener: PgListener;

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    url = created.url;
    drop = created.drop;
    store = openStore(url, { poolSize: 2 });
    listener = pgListener(url, { retryMs: 50, maxRetryMs: 200 });
  });
  afterAll(async () => {
    await listener.close();
    await store.close();
    await drop();
  });

  it('delivers at commit, never for a rolled-back transaction', async () => {
    const got: string[] = [];
    listener.on('b_test_channel', (p) => got.push(p));
    await listener.ready();
    await store.db.transaction().execute(async (trx) => {
      await notify(trx, 'b_test_channel', 'inside');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual([]); // not before the commit
    });
    await store.db
      .transaction()
      .execute(async (trx) => {
        await notify(trx, 'b_test_channel', 'rolled back');
        throw new Error('no');
      })
      .catch(() => undefined);
    await notify(store.db, 'b_test_channel', 'after');
    await until('both notifications', () => got.length >= 2);
    expect(got).toEqual(['inside', 'after']);
  });

  it('reconnects after its connection is killed, tells onConnect, and delivers again', async () => {
    const got: string[] = [];
    let connects = 0;
    listener.on('b_test_channel', (p) => got.push(p));
    listener.onConnect(() => connects++);
    await listener.ready();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`);
    await admin.end();
    await until('a reconnection', () => connects > 0 && listener.connected);
    await notify(store.db, 'b_test_channel', 'again');
    await until('delivery after reconnecting', () => got.includes('again'));
  });

  it("the store's watch: caches off while its listener is down, every topic moved when it is back", async () => {
    const watch = watchOf(store.db);
    expect(watch).toBeDefined();
    if (!watch) return;
    watch.usable('auth'); // starts the store's own listener
    await until('the store listener', () => watch.usable('auth'));
    const epoch = watch.epoch('policy');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen escalon_changes%' and pid <> pg_backend_pid()`);
    await admin.end();
    await until('the watch to notice', () => !watch.usable('auth'));
    await until('the store listener back', () => watch.usable('auth'));
    expect(watch.epoch('policy')).toBeGreaterThan(epoch);
    // A write on another connection (as another node) reaches the watch through the trigger.
    const before = watch.epoch('policy');
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query(`insert into policies (version, source, format, applied_at, applied_by) values (99, 'x', 'yaml', 0, 'test')`);
    await other.end();
    await until('the trigger notification', () => watch.epoch('policy') > before);
  });
});
