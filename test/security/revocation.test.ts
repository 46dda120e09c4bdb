// Issue 12, finding 7: access ends with its revocation. A password change ends every other
// session and every API token of the user and rotates the session that made it; an admin's
// password reset and a deactivation end all of them; an open event stream closes on logout,
// deactivation and password change at once (in-process signal) and, for revocations it cannot
// hear of (another node), at its periodic re-check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/app/create-token.ts';
import { createUser } from '../../src/app/create-user.ts';
import { revokeToken as markRevokedInDb } from '../../src/store/credentials-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { PASSWORD, accountsApp, cookieOf, openStream, signIn, type AccountsApp } from './accounts-helpers.ts';

const NEW_PASSWORD = 'a brand new passphrase';

describeStores('security: revocation of sessions and tokens', (ctx) => {
  let live: AccountsApp; // re-checks streams only hourly: what closes them here is the in-process signal
  let rechecking: AccountsApp; // re-checks every 200 ms
  let liveBase = '';
  let recheckBase = '';
  let n = 0;

  beforeAll(async () => {
    live = await accountsApp(ctx.store, { streamRecheckMs: 3_600_000 });
    rechecking = await accountsApp(ctx.store, { streamRecheckMs: 200, deps: live.deps, cast: live.cast });
    liveBase = await live.app.listen({ port: 0, host: '127.0.0.1' });
    recheckBase = await rechecking.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await live.app.close();
    await rechecking.app.close();
  });

  /** A fresh agent with a password, for one test. */
  async function person(role: 'agent' | 'customer' = 'agent') {
    const u = await createUser(live.deps, {
      email: `rev-${++n}-${ctx.dialect}@example.com`,
      name: `Rev ${n}`,
      role,
      password: PASSWORD,
      ...(role === 'customer' && { organizationId: live.cast.orgA }),
    });
    const token = await createToken(live.deps, { user: { id: u.id }, name: 'script' });
    return { user: u, token: token.secret, tokenId: token.token.id, bearer: { authorization: `Bearer ${token.secret}` } };
  }
  const me = (headers: Record<string, string>) => live.app.inject({ method: 'GET', url: '/api/v1/me', headers });
  const withSession = (s: string | undefined) => ({ cookie: `escalon_session=${s}` });
  const tokenRow = async (id: string) => {
    const list = await live.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: live.adminAuth });
    return (list.json() as { items: Array<{ id: string; revoked_at: string | null; revoked_reason: string | null }> }).items.find((t) => t.id === id);
  };

  it('a password change ends the other sessions and every token, and rotates the session that made it', async () => {
    const p = await person();
    const a = await signIn(live.app, p.user.email, PASSWORD);
    const b = await signIn(live.app, p.user.email, PASSWORD);
    expect(a.res.statusCode).toBe(200);
    expect((await me(withSession(b.session))).statusCode).toBe(200);
    expect((await me(p.bearer)).statusCode).toBe(200);

    const changed = await live.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: withSession(a.session), payload: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ sessions_ended: 1, tokens_revoked: 1, session_rotated: true });
    const rotated = cookieOf(changed, 'escalon_session');
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(a.session);

    expect((await me(withSession(a.session))).statusCode).toBe(401); // the old id of the changing session is dead
    expect((await me(withSession(b.session))).statusCode).toBe(401); // the other session ended
    expect((await me(p.bearer)).statusCode).toBe(401); // the token stopped working
    expect((await me(withSession(rotated))).statusCode).toBe(200); // the rotated session works
    expect(await tokenRow(p.tokenId)).toMatchObject({ revoked_reason: 'password_changed' });
    expect((await signIn(live.app, p.user.email, PASSWORD)).res.statusCode).toBe(401);
    expect((await signIn(live.app, p.user.email, NEW_PASSWORD)).res.statusCode).toBe(200);
  });

  it('a wrong current password changes nothing; a change made with a token revokes that token too', async () => {
    const p = await person();
    const s = await signIn(live.app, p.user.email, PASSWORD);
    const wrong = await live.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: withSession(s.session), payload: { current_password: 'not my password at all', new_password: NEW_PASSWORD } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.code).toBe('CURRENT_PASSWORD_WRONG');
    expect((await me(withSession(s.session))).statusCode).toBe(200);
    expect((await me(p.bearer)).statusCode).toBe(200);

    const byToken = await live.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: p.bearer, payload: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(byToken.statusCode, byToken.body).toBe(200);
    expect(byToken.json()).toEqual({ sessions_ended: 1, tokens_revoked: 1, session_rotated: false });
    expect(cookieOf(byToken, 'escalon_session')).toBeUndefined();
    expect((await me(p.bearer)).statusCode).toBe(401);
    expect((await me(withSession(s.session))).statusCode).toBe(401);
  });

  it("an admin's password reset and a deactivation end every session and token of the user", async () => {
    const r = await person();
    const rs = await signIn(live.app, r.user.email, PASSWORD);
    const reset = await live.app.inject({ method: 'PATCH', url: `/api/v1/users/${r.user.id}`, headers: live.adminAuth, payload: { password: NEW_PASSWORD } });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await me(withSession(rs.session))).statusCode).toBe(401);
    expect((await me(r.bearer)).statusCode).toBe(401);
    expect(await tokenRow(r.tokenId)).toMatchObject({ revoked_reason: 'password_reset' });

    const d = await person('customer');
    const ds = await signIn(live.app, d.user.email, PASSWORD);
    const off = await live.app.inject({ method: 'PATCH', url: `/api/v1/users/${d.user.id}`, headers: live.adminAuth, payload: { active: false } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await me(withSession(ds.session))).statusCode).toBe(401);
    expect((await me(d.bearer)).statusCode).toBe(401);
    expect(await tokenRow(d.tokenId)).toMatchObject({ revoked_reason: 'deactivated' });
    // Reactivating does not bring the old credentials back.
    const on = await live.app.inject({ method: 'PATCH', url: `/api/v1/users/${d.user.id}`, headers: live.adminAuth, payload: { active: true } });
    expect(on.statusCode).toBe(200);
    expect((await me(withSession(ds.session))).statusCode).toBe(401);
    expect((await me(d.bearer)).statusCode).toBe(401);
    expect((await signIn(live.app, d.user.email, PASSWORD)).res.statusCode).toBe(200);
  });

  it('an open stream closes when its session logs out, and only that one', async () => {
    const p = await person();
    const a = await signIn(live.app, p.user.email, PASSWORD);
    const b = await signIn(live.app, p.user.email, PASSWORD);
    const streamA = await openStream(liveBase, withSession(a.session));
    const streamB = await openStream(liveBase, withSession(b.session));
    const out = await live.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: withSession(a.session) });
    expect(out.statusCode).toBe(204);
    expect(await streamA.endsWithin(5000)).toContain('event: revoked');
    expect(streamB.received()).not.toContain('event: revoked');
    expect((await me(withSession(b.session))).statusCode).toBe(200);
    streamB.close();
  });

  it('open streams (session and token) close when the user is deactivated', async () => {
    const p = await person('customer');
    const s = await signIn(live.app, p.user.email, PASSWORD);
    const bySession = await openStream(liveBase, withSession(s.session));
    const byToken = await openStream(liveBase, p.bearer);
    const off = await live.app.inject({ method: 'PATCH', url: `/api/v1/users/${p.user.id}`, headers: live.adminAuth, payload: { active: false } });
    expect(off.statusCode).toBe(200);
    expect(await bySession.endsWithin(5000)).toContain('event: revoked');
    expect(await byToken.endsWithin(5000)).toContain('event: revoked');
  });

  it("a password change closes the user's streams on other sessions and tokens", async () => {
    const p = await person();
    const a = await signIn(live.app, p.user.email, PASSWORD);
    const b = await signIn(live.app, p.user.email, PASSWORD);
    const onB = await openStream(liveBase, withSession(b.session));
    const onToken = await openStream(liveBase, p.bearer);
    const changed = await live.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: withSession(a.session), payload: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(changed.statusCode).toBe(200);
    expect(await onB.endsWithin(5000)).toContain('event: revoked');
    expect(await onToken.endsWithin(5000)).toContain('event: revoked');
    // The rotated session opens a new stream.
    const again = await openStream(liveBase, withSession(cookieOf(changed, 'escalon_session')));
    again.close();
  });

  it("an admin's token revocation closes that token's stream at once, and no other", async () => {
    const p = await person();
    const second = await createToken(live.deps, { user: { id: p.user.id }, name: 'second' });
    const first = await openStream(liveBase, p.bearer);
    const other = await openStream(liveBase, { authorization: `Bearer ${second.secret}` });
    const del = await live.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${p.tokenId}`, headers: live.adminAuth });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ revoked_reason: 'revoked' });
    expect(await first.endsWithin(5000)).toContain('event: revoked');
    expect(other.received()).not.toContain('event: revoked');
    expect((await me({ authorization: `Bearer ${second.secret}` })).statusCode).toBe(200);
    other.close();
  });

  it('the periodic re-check closes a stream whose token was revoked where this process could not hear of it', async () => {
    const p = await person();
    const stream = await openStream(recheckBase, p.bearer);
    // Revoked straight in the database, as another node would: no in-process signal.
    await markRevokedInDb(ctx.store.db, p.tokenId, live.deps.clock.now());
    expect(await stream.endsWithin(5000)).toContain('event: revoked');
    // The same revocation is not heard by a process that re-checks hourly: only the re-check closed it.
    const q = await person();
    const quiet = await openStream(liveBase, q.bearer);
    await markRevokedInDb(ctx.store.db, q.tokenId, live.deps.clock.now());
    await expect(quiet.endsWithin(800)).rejects.toThrow(/still open/);
    quiet.close();
  });
});

describe('revocation feed', () => {
  it('names a user, or one credential, and spares the rotated session', async () => {
    const { revokes } = await import('../../src/app/revocations.ts');
    expect(revokes({ userId: 'u1' }, 'u1', 'd1')).toBe(true);
    expect(revokes({ userId: 'u1' }, 'u2', 'd1')).toBe(false);
    expect(revokes({ userId: 'u1', exceptDigest: 'd1' }, 'u1', 'd1')).toBe(false);
    expect(revokes({ credentialDigest: 'd1' }, 'u9', 'd1')).toBe(true);
    expect(revokes({ credentialDigest: 'd2' }, 'u9', 'd1')).toBe(false);
  });
});
