// Issue 13: `escalon org list|create`, `user list [--role]`, `--org` by id or name, and no staff
// account that can never sign in.
import { describe, expect, it } from 'vitest';
import { register as registerOrg } from '../../src/cli/org.ts';
import { register as registerUser } from '../../src/cli/user.ts';
import { formatTable } from '../../src/cli/table.ts';
import { findUserByEmail } from '../../src/store/users-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { runCli } from '../helpers/run-cli.ts';

const GOOD = 'plum tractor velvet 42';

describe('cli tables', () => {
  it('pads columns to the widest cell, prints null as -, and says so when empty', () => {
    expect(formatTable([{ id: 'a', name: 'Initech', value: null }, { id: 'bbb', name: 'X', value: 5 }], ['id', 'name', 'value'], 'none')).toBe(
      'ID   NAME     VALUE\na    Initech  -\nbbb  X        5\n',
    );
    expect(formatTable([], ['id'], 'no rows')).toBe('no rows\n');
  });
});

describeStores('cli: org and user commands', (ctx) => {
  const cli = (args: string[], stdin?: string) => runCli([registerOrg, registerUser], args, ctx.url, stdin);

  it('org create, then org list as a table and as JSON', async () => {
    const made = await cli(['org', 'create', '--name', 'Umbrella Corp', '--tier', 'enterprise', '--contract-value', '250000']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^created organization Umbrella Corp \(enterprise, id \S+\)\n$/);
    const table = await cli(['org', 'list']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+TIER\s+CONTRACT_VALUE\s+ACCOUNT_MANAGER$/);
    expect(table.stdout).toMatch(/Umbrella Corp\s+enterprise\s+250000\s+-/);
    const json = await cli(['org', 'list', '--json']);
    const rows = JSON.parse(json.stdout) as Array<{ name: string; tier: string; contract_value: number | null }>;
    expect(rows).toContainEqual(expect.objectContaining({ name: 'Umbrella Corp', tier: 'enterprise', contract_value: 250000 }));
    const bad = await cli(['org', 'create', '--name', 'X', '--tier', 'standard', '--contract-value', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("error: --contract-value must be a number ≥ 0 (got 'lots')\n");
  });

  it('user create: --org by name or id; a customer needs no password', async () => {
    await cli(['org', 'create', '--name', 'Globex', '--tier', 'premium']);
    const byName = await cli(['user', 'create', '--email', `hank-${ctx.dialect}@globex.example`, '--name', 'Hank', '--role', 'customer', '--org', 'globex']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(/created customer hank-.*has no password/);
    const orgId = (JSON.parse((await cli(['org', 'list', '--json'])).stdout) as Array<{ id: string; name: string }>).find((o) => o.name === 'Globex')!.id;
    const byId = await cli(['user', 'create', '--email', `mindy-${ctx.dialect}@globex.example`, '--name', 'Mindy', '--role', 'customer', '--org', orgId]);
    expect(byId.code, byId.stderr).toBe(0);
    const unknown = await cli(['user', 'create', '--email', `x-${ctx.dialect}@globex.example`, '--name', 'X', '--role', 'customer', '--org', 'Nowhere Inc']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ORGANIZATION_NOT_FOUND: --org 'Nowhere Inc' is neither an organization id nor an organization name; `escalon org list` lists them/);
  });

  it('refuses a staff account without a way to sign in, and says how', async () => {
    const email = `nopw-${ctx.dialect}@example.com`;
    const r = await cli(['user', 'create', '--email', email, '--name', 'No Password', '--role', 'admin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/an admin without a password can never sign in: give --password-stdin .* or --password, or set one later with `escalon user set-password/);
    const invite = await cli(['user', 'create', '--email', email, '--name', 'No Password', '--role', 'admin', '--invite']);
    expect(invite.code).toBe(1);
    expect(invite.stderr).toMatch(/--invite: this server cannot send invitations yet; .*escalon user set-password/);
    expect(await findUserByEmail(ctx.store.db, email)).toBeUndefined();
  });

  it('refuses an email that is not one (the README placeholder E) before anything is stored', async () => {
    const r = await cli(['user', 'create', '--email', 'E', '--name', 'N', '--role', 'admin', '--password', GOOD]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: --email must be an email address such as ana@example.com (got 'E')\n");
    expect(await findUserByEmail(ctx.store.db, 'e')).toBeUndefined();
  });

  it('--password-stdin reads the password from standard input; user list shows who can sign in', async () => {
    const email = `stdin-${ctx.dialect}@example.com`;
    const r = await cli(['user', 'create', '--email', email, '--name', 'Piped', '--role', 'agent', '--password-stdin'], `${GOOD}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/can sign in with the password given/);
    const both = await cli(['user', 'create', '--email', `b-${email}`, '--name', 'B', '--role', 'agent', '--password', GOOD, '--password-stdin'], GOOD);
    expect(both.stderr).toBe('error: give --password or --password-stdin, not both\n');
    const list = await cli(['user', 'list', '--role', 'agent', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ email: string; role: string; password: boolean; active: boolean }>;
    expect(rows.every((u) => u.role === 'agent')).toBe(true);
    expect(rows).toContainEqual(expect.objectContaining({ email, password: true, active: true }));
    const table = await cli(['user', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE\s+ORGANIZATION\s+ACTIVE\s+PASSWORD$/);
    expect(table.stdout).toMatch(/hank-.*Hank\s+customer\s+Globex\s+true\s+false/);
    const badRole = await cli(['user', 'list', '--role', 'boss']);
    expect(badRole.code).toBe(1);
    const reset = await cli(['user', 'set-password', '--email', email, '--password-stdin'], `${GOOD} too\n`);
    expect(reset.code, reset.stderr).toBe(0);
  });
});
