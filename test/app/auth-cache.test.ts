// Per-request look-ups cached in the process (issue 15, store/change-watch.ts): a credential,
// the actor, the policy version. Cached means no query on a repeat; a revocation, a
// deactivation, a logout or a new policy version written by this process takes effect at
// once, one written by another process at its commit (SQLite: a second connection on the same
// file) or when its notification arrives (PostgreSQL: a second store on the same database,
// as another node). `last_used_at` is written at most once a minute per token.
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTH_TTL_MS, authenticateSession, authenticateToken } from '../../src/app/authenticate.ts';
import { createToken } from '../../src/app/create-token.ts';
import { createUser } from '../../src/app/create-user.ts';
import type { AppDeps } from '../../src/app/deps.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import { digest, newSessionSecret } from '../../src/auth/secrets.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { watchOf } from '../../src/store/change-watch.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { deleteSession, findToken, insertSession, revokeToken } from '../../src/store/credentials-repo.ts';
import { newId } from '../../src/store/new-id.ts';
import { insertPolicy } from '../../src/store/policies-repo.ts';
import { updateUser } from '../../src/store/users-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';

/** A store whose queries are counted (same connection or pool, same change watch). */
function counted(store: Store): { store: Store; reads: () => number; writes: (table: string) => number } {
  const seen: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (a) => {
      const n = a.node as { kind: string; table?: { table?: { identifier?: { name?: string } } } };
      seen.push(n.kind === 'UpdateQueryNode' ? `update:${n.table?.table?.identifier?.name}` : n.kind);
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  return {
    store: { db: store.db.withPlugin(plugin), dialect: store.dialect, close: () => store.close() },
    reads: () => seen.filter((k) => k === 'SelectQueryNode').length,
    writes: (table) => seen.filter((k) => k === `update:${table}`).length,
  };
}

/** Waits for another node's notification to reach this store's watch (the topic's epoch moves). */
async function notified(store: Store, topic: 'auth' | 'policy', from: number): Promise<void> {
  const watch = watchOf(store.db);
  const deadline = Date.now() + AUTH_TTL_MS / 2;
  while (watch && watch.epoch(topic) === from) {
    if (Date.now() > deadline) throw new Error('no change notification arrived');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeStores('cached authentication and policy version', (ctx) => {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 9, 0));
  let deps: AppDeps;
  let q: ReturnType<typeof counted>;
  let other: Store; // another process (SQLite) / node (PostgreSQL) on the same database
  let n = 0;

  beforeAll(async () => {
    q = counted(ctx.store);
    deps = { store: q.store, clock, attachmentLimit: 1 << 20 };
    other = openStore(ctx.url, { poolSize: 2 });
    // PostgreSQL: caches serve only while the listener is connected; let it connect first.
    if (ctx.dialect === 'postgres') {
      watchOf(ctx.store.db)?.usable('auth');
      const deadline = Date.now() + 5_000;
      while (!watchOf(ctx.store.db)?.usable('auth') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(async () => {
    await other.close();
  });

  async function agent() {
    const u = await createUser(deps, { email: `cache-${++n}-${ctx.dialect}@example.com`, name: `Cache ${n}`, role: 'agent' });
    const t = await createToken(deps, { user: { id: u.id }, name: 'script' });
    return { user: u, secret: t.secret, tokenId: t.token.id };
  }

  /** Waits until this store's cache may serve (PostgreSQL: our own write keeps it off for a second). */
  async function settled(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!watchOf(ctx.store.db)?.usable('auth') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  it('a repeated token is answered from memory; revoking it here ends it at once', async () => {
    const a = await agent();
    await settled();
    expect((await authenticateToken(deps, a.secret))?.userId).toBe(a.user.id);
    const reads = q.reads();
    expect((await authenticateToken(deps, a.secret))?.userId).toBe(a.user.id);
    expect(q.reads()).toBe(reads); // no query
    await revokeToken(q.store.db, a.tokenId, clock.now());
    expect(await authenticateToken(deps, a.secret)).toBeNull();
  });

  it('deactivating the user ends their cached token at once', async () => {
    const a = await agent();
    await settled();
    expect(await authenticateToken(deps, a.secret)).not.toBeNull();
    await updateUser(q.store.db, a.user.id, { active: false });
    expect(await authenticateToken(deps, a.secret)).toBeNull();
  });

  it('a session: cached, expiry checked against the clock, a logout ends it at once', async () => {
    const a = await agent();
    const secret = newSessionSecret();
    await insertSession(q.store.db, { id: newId(), digest: digest(secret), userId: a.user.id, createdAt: clock.now(), expiresAt: clock.now() + 60_000 });
    await settled();
    expect((await authenticateSession(deps, secret))?.userId).toBe(a.user.id);
    clock.advance(61_000);
    expect(await authenticateSession(deps, secret)).toBeNull(); // expired, cached or not
    clock.advance(-61_000);
    expect((await authenticateSession(deps, secret))?.userId).toBe(a.user.id);
    await deleteSession(q.store.db, digest(secret));
    expect(await authenticateSession(deps, secret)).toBeNull();
  });

  it('a revocation by another process or node ends the cached token (SQLite: at its commit; PostgreSQL: at its notification)', async () => {
    const a = await agent();
    await settled();
    expect(await authenticateToken(deps, a.secret)).not.toBeNull();
    const reads = q.reads();
    expect(await authenticateToken(deps, a.secret)).not.toBeNull();
    expect(q.reads()).toBe(reads); // cached
    const epoch = watchOf(ctx.store.db)?.epoch('auth') ?? 0;
    await revokeToken(other.db, a.tokenId, clock.now());
    if (ctx.dialect === 'postgres') await notified(ctx.store, 'auth', epoch);
    expect(await authenticateToken(deps, a.secret)).toBeNull();
  });

  it('another node deactivating the user ends the cached actor too', async () => {
    const a = await agent();
    await settled();
    expect(await authenticateToken(deps, a.secret)).not.toBeNull();
    const epoch = watchOf(ctx.store.db)?.epoch('auth') ?? 0;
    await updateUser(other.db, a.user.id, { active: false });
    if (ctx.dialect === 'postgres') await notified(ctx.store, 'auth', epoch);
    expect(await authenticateToken(deps, a.secret)).toBeNull();
  });

  it('last_used_at is written on first use, then at most once a minute', async () => {
    const a = await agent();
    const start = clock.now();
    const writes = q.writes('api_tokens');
    await authenticateToken(deps, a.secret);
    expect(q.writes('api_tokens')).toBe(writes + 1);
    expect((await findToken(ctx.store.db, a.tokenId))?.lastUsedAt).toBe(start);
    clock.advance(30_000);
    await authenticateToken(deps, a.secret);
    await authenticateToken(deps, a.secret);
    expect(q.writes('api_tokens')).toBe(writes + 1); // nothing written within the minute
    expect((await findToken(ctx.store.db, a.tokenId))?.lastUsedAt).toBe(start);
    clock.advance(31_000);
    await authenticateToken(deps, a.secret);
    expect(q.writes('api_tokens')).toBe(writes + 2);
    expect((await findToken(ctx.store.db, a.tokenId))?.lastUsedAt).toBe(start + 61_000);
  });

  it('the policy version: checked once, then from memory; a version applied by another process or node takes over', async () => {
    const registry = new PolicyRegistry();
    expect(await registry.refresh(q.store.db)).toBeNull();
    await settled();
    const before = await registry.refresh(q.store.db);
    const reads = q.reads();
    expect(await registry.refresh(q.store.db)).toBe(before);
    expect(q.reads()).toBe(reads);
    const epoch = watchOf(ctx.store.db)?.epoch('policy') ?? 0;
    await insertPolicy(other.db, { version: (before?.version ?? 0) + 1, source: REFERENCE_POLICY, format: 'yaml', appliedAt: clock.now(), appliedBy: 'test@example.com' });
    if (ctx.dialect === 'postgres') await notified(ctx.store, 'policy', epoch);
    const active = await registry.refresh(q.store.db);
    expect(active?.version).toBeGreaterThan(before?.version ?? 0);
  });
});
