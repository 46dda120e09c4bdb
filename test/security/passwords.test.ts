// Issue 12, finding 9: the password policy on every path that sets a password, and the
// per-account sign-in throttle (back-off, shared through the database, no lock-out of the
// owner's known device).
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/user.ts';
import { createUser } from '../../src/app/create-user.ts';
import { DEMO_PASSWORD } from '../../src/app/seed-demo.ts';
import { updateUser } from '../../src/app/update-user.ts';
import { passwordProblems } from '../../src/auth/password-policy.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { FREE_FAILURES, MAX_DELAY_MS, backoffMs } from '../../src/domain/login-throttle.ts';
import { describeStores } from '../helpers/db.ts';
import { PASSWORD, accountsApp, signIn, type AccountsApp } from './accounts-helpers.ts';

const WEAK: Array<[string, string]> = [
  ['          ', 'whitespace_only'],
  ['1234567890', 'common'],
  ['password12', 'common'],
];
const GOOD = 'plum tractor velvet 42';

/** Runs `escalon …` in this process (spawning tsx per run is slow): exit code, stdout, stderr. */
async function cli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = process.env.ESCALON_DATABASE_URL;
  process.env.ESCALON_DATABASE_URL = databaseUrl;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const exit = vi.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
    throw new ExitCalled(Number(code ?? 0));
  });
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'escalon', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof ExitCalled) return { code: e.code, stdout, stderr };
    throw e;
  } finally {
    out.mockRestore();
    err.mockRestore();
    exit.mockRestore();
    if (saved === undefined) delete process.env.ESCALON_DATABASE_URL;
    else process.env.ESCALON_DATABASE_URL = saved;
  }
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

describe('password policy', () => {
  it('refuses short, blank and common passwords, naming each rule; accepts a good one and the demo password', () => {
    expect(passwordProblems('          ')).toEqual(['too_short', 'whitespace_only']);
    expect(passwordProblems('1234567890')).toEqual(['too_short', 'common']);
    expect(passwordProblems('password12')).toEqual(['too_short', 'common']);
    expect(passwordProblems('PasswordPassword')).toEqual(['common']); // long but on the list (case-insensitive)
    expect(passwordProblems('             ')).toEqual(['whitespace_only']); // 13 spaces
    expect(passwordProblems('short one')).toEqual(['too_short']);
    expect(passwordProblems(GOOD)).toEqual([]);
    expect(passwordProblems(DEMO_PASSWORD)).toEqual([]); // README's demo sign-ins keep working
    expect(passwordProblems(PASSWORD)).toEqual([]);
  });

  it('the back-off doubles from 1 s after the free failures and stops at 15 minutes', () => {
    expect(backoffMs(FREE_FAILURES)).toBe(0);
    expect(backoffMs(FREE_FAILURES + 1)).toBe(1000);
    expect(backoffMs(FREE_FAILURES + 2)).toBe(2000);
    expect(backoffMs(FREE_FAILURES + 5)).toBe(16_000);
    expect(backoffMs(1000)).toBe(MAX_DELAY_MS);
    expect(MAX_DELAY_MS).toBe(15 * 60_000);
  });
});

describeStores('security: passwords and the account throttle', (ctx) => {
  let t: AccountsApp;
  let n = 0;
  beforeAll(async () => {
    t = await accountsApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });
  const email = () => `pw-${++n}-${ctx.dialect}@example.com`;
  const expectWeak = (res: { statusCode: number; json: () => { error: { code: string; message: string; details: { rules: string[] } } } }, rule: string) => {
    expect(res.statusCode).toBe(422);
    const e = res.json().error;
    expect(e.code).toBe('WEAK_PASSWORD');
    expect(e.details.rules).toContain(rule);
    expect(e.message).toMatch(/at least 12 characters/);
  };

  it.each(WEAK)('refuses %j on user creation, admin reset and own change (%s)', async (weak, rule) => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: t.adminAuth, payload: { email: email(), name: 'Weak', role: 'agent', password: weak } });
    expectWeak(created, rule);
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${t.cast.actors.agent2.userId}`, headers: t.adminAuth, payload: { password: weak } });
    expectWeak(reset, rule);
    const s = await signIn(t.app, t.cast.actors.lead.email, PASSWORD);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', cookies: { escalon_session: s.session! }, payload: { current_password: PASSWORD, new_password: weak } });
    expectWeak(own, rule);
    expect(own.json().error.details.field).toBe('new_password');
    // The app layer (what the CLI and the demo seed call) refuses it too.
    await expect(createUser(t.deps, { email: email(), name: 'Weak', role: 'agent', password: weak })).rejects.toThrow(DomainError);
    await expect(updateUser(t.deps, t.cast.actors.agent2.userId, { password: weak })).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    // Nothing changed: the lead still signs in with the old password.
    expect((await signIn(t.app, t.cast.actors.lead.email, PASSWORD)).res.statusCode).toBe(200);
  });

  it('accepts a good password on every path', async () => {
    const address = email();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: t.adminAuth, payload: { email: address, name: 'Good', role: 'agent', password: GOOD } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await signIn(t.app, address, GOOD)).res.statusCode).toBe(200);
    const id = created.json().id as string;
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: t.adminAuth, payload: { password: `${GOOD} reset` } });
    expect(reset.statusCode).toBe(200);
    const s = await signIn(t.app, address, `${GOOD} reset`);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', cookies: { escalon_session: s.session! }, payload: { current_password: `${GOOD} reset`, new_password: `${GOOD} mine` } });
    expect(own.statusCode, own.body).toBe(200);
    expect((await signIn(t.app, address, `${GOOD} mine`)).res.statusCode).toBe(200);
  });

  it('the CLI refuses weak passwords on user create and set-password, and takes a good one', async () => {
    const address = email();
    for (const [weak] of WEAK) {
      const c = await cli(['user', 'create', '--email', email(), '--name', 'Weak', '--role', 'agent', '--password', weak], ctx.url);
      const r = await cli(['user', 'set-password', '--email', t.cast.actors.agent2.email, '--password', weak], ctx.url);
      for (const run of [c, r]) {
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/WEAK_PASSWORD: --password refused/);
      }
    }
    const created = await cli(['user', 'create', '--email', address, '--name', 'Good', '--role', 'agent', '--password', GOOD], ctx.url);
    expect(created.code, created.stderr).toBe(0);
    const set = await cli(['user', 'set-password', '--email', address, '--password', `${GOOD} again`], ctx.url);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/password set for .*ended 0 session\(s\), revoked 0 API token\(s\)/);
    expect((await signIn(t.app, address, `${GOOD} again`)).res.statusCode).toBe(200);
  });

  /** A fresh agent for one throttle test. */
  async function account() {
    const address = email();
    await createUser(t.deps, { email: address, name: 'Target', role: 'agent', password: PASSWORD });
    return address;
  }
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

  it('100 wrong passwords from 100 addresses, then the right one: refused inside the window, accepted after it', async () => {
    const target = await account();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await signIn(t.app, target, `wrong guess number ${i}`, { ip: ip(1000 + i) })).res.statusCode);
    // Five free failures, the sixth counted (it opens a 1 s window), every other one refused unchecked.
    expect(statuses.slice(0, FREE_FAILURES + 1)).toEqual(Array(FREE_FAILURES + 1).fill(401));
    expect(statuses.slice(FREE_FAILURES + 1)).toEqual(Array(100 - FREE_FAILURES - 1).fill(429));

    const right = await signIn(t.app, target, PASSWORD, { ip: ip(5000) });
    expect(right.res.statusCode).not.toBe(200);
    expect(right.res.statusCode).toBe(429);
    expect(right.res.json().error.code).toBe('LOGIN_THROTTLED');
    const retry = Number(right.res.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(right.res.json().error.details.retry_after_s).toBe(retry);

    t.deps.clock.advance(retry * 1000);
    const after = await signIn(t.app, target, PASSWORD, { ip: ip(5001) });
    expect(after.res.statusCode).toBe(200);
    // A success resets the count: five free failures again.
    for (let i = 0; i < FREE_FAILURES; i++) expect((await signIn(t.app, target, 'wrong again', { ip: ip(6000 + i) })).res.statusCode).toBe(401);
  });

  it('the window doubles with each failure after it and never exceeds 15 minutes (the lock-out bound)', async () => {
    const target = await account();
    for (let i = 0; i < FREE_FAILURES; i++) expect((await signIn(t.app, target, 'wrong', { ip: ip(7000 + i) })).res.statusCode).toBe(401);
    const windows: number[] = [];
    for (let k = 0; k < 14; k++) {
      expect((await signIn(t.app, target, 'wrong', { ip: ip(7100 + k) })).res.statusCode).toBe(401);
      const refused = await signIn(t.app, target, PASSWORD, { ip: ip(7200 + k) });
      expect(refused.res.statusCode).toBe(429);
      const s = Number(refused.res.headers['retry-after']);
      windows.push(s);
      t.deps.clock.advance(s * 1000);
    }
    expect(windows).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
    // Right after the longest window the right password gets in.
    expect((await signIn(t.app, target, PASSWORD, { ip: ip(7300) })).res.statusCode).toBe(200);
  });

  it("the owner's known device is never throttled; wrong passwords on it drop it after five", async () => {
    const target = await account();
    const owner = await signIn(t.app, target, PASSWORD, { ip: ip(8000) });
    expect(owner.res.statusCode).toBe(200);
    expect(owner.device).toBeTruthy();
    for (let i = 0; i < 100; i++) await signIn(t.app, target, `attacker ${i}`, { ip: ip(8100 + i) });
    expect((await signIn(t.app, target, PASSWORD, { ip: ip(8300) })).res.statusCode).toBe(429); // a new browser waits
    const fromDevice = await signIn(t.app, target, PASSWORD, { ip: ip(8301), device: owner.device! });
    expect(fromDevice.res.statusCode).toBe(200); // the owner's own browser gets in at once
    // Someone with the device cookie but not the password: five tries, then the cookie is worth nothing.
    for (let i = 0; i < 5; i++) expect((await signIn(t.app, target, `stolen cookie ${i}`, { device: owner.device!, ip: ip(8400 + i) })).res.statusCode).toBe(401);
    expect((await signIn(t.app, target, PASSWORD, { device: owner.device!, ip: ip(8500) })).res.statusCode).toBe(429);
    // Another account's device cookie does not help either.
    const other = await account();
    const otherDevice = (await signIn(t.app, other, PASSWORD)).device!;
    expect((await signIn(t.app, target, PASSWORD, { device: otherDevice, ip: ip(8501) })).res.statusCode).toBe(429);
  });

  it('unknown accounts are throttled alike (no account discovery), and concurrent guesses are counted one by one', async () => {
    const ghost = email();
    const ghostStatuses: number[] = [];
    for (let i = 0; i < 8; i++) ghostStatuses.push((await signIn(t.app, ghost, 'whatever', { ip: ip(9000 + i) })).res.statusCode);
    expect(ghostStatuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);

    const target = await account();
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(t.app, target, `parallel ${i}`, { ip: ip(9100 + i) })));
    const checked = burst.filter((b) => b.res.statusCode === 401).length;
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES + 1);
    expect(burst.every((b) => b.res.statusCode === 401 || b.res.statusCode === 429)).toBe(true);
  });

  it('holds across server nodes (the count is in the database); an admin reset clears it', async () => {
    const second = await accountsApp(ctx.store, { deps: t.deps, cast: t.cast });
    try {
      const target = await account();
      for (let i = 0; i < FREE_FAILURES + 1; i++) expect((await signIn(t.app, target, 'wrong', { ip: ip(9500 + i) })).res.statusCode).toBe(401);
      expect((await signIn(second.app, target, PASSWORD, { ip: ip(9600) })).res.statusCode).toBe(429);
      const users = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.adminAuth });
      const id = (users.json().items as Array<{ id: string; email: string }>).find((u) => u.email === target)!.id;
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: t.adminAuth, payload: { password: GOOD } })).statusCode).toBe(200);
      expect((await signIn(second.app, target, GOOD, { ip: ip(9601) })).res.statusCode).toBe(200);
    } finally {
      await second.app.close();
    }
  });

  it('a stolen session cannot guess the current password quickly: the change is throttled too', async () => {
    const target = await account();
    const s = await signIn(t.app, target, PASSWORD);
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', cookies: { escalon_session: s.session! }, payload: { current_password: `guess ${i}`, new_password: GOOD } });
      codes.push(r.statusCode);
    }
    // No device cookie with the call: the account throttle applies as to a sign-in.
    expect(codes).toEqual([422, 422, 422, 422, 422, 422, 429, 429]);
  });
});
