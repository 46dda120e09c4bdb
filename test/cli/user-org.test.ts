// Issue 13: `escalon org list|create` (with mail domains), `user list [--role]`, `--org` by id or
// name, no staff account that can never sign in, and `user create --invite` (a set-password link).
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
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+TIER\s+CONTRACT_VALUE\s+ACCOUNT_MANAGER\s+MAIL_DOMAINS$/);
    expect(table.stdout).toMatch(/Umbrella Corp\s+enterprise\s+250000\s+-\s+-/);
    const json = await cli(['org', 'list', '--json']);
    const rows = JSON.parse(json.stdout) as Array<{ name: string; tier: string; contract_value: number | null }>;
    expect(rows).toContainEqual(expect.objectContaining({ name: 'Umbrella Corp', tier: 'enterprise', contract_value: 250000 }));
    const bad = await cli(['org', 'create', '--name', 'X', '--tier', 'standard', '--contract-value', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("error: --contract-value must be a number ≥ 0 (got 'lots')\n");
  });

  it('org create --domain sets the mail domains (repeatable); org list shows them; bad and taken domains are refused', async () => {
    const made = await cli(['org', 'create', '--name', 'Initech', '--tier', 'premium', '--domain', 'Initech.example', '--domain', '@initech-labs.example']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^created organization Initech \(premium, id \S+; mail domains initech\.example, initech-labs\.example\)\n$/);
    const table = await cli(['org', 'list']);
    expect(table.stdout).toMatch(/Initech\s+premium\s+-\s+-\s+initech-labs\.example,initech\.example\n/); // sorted
    const rows = JSON.parse((await cli(['org', 'list', '--json'])).stdout) as Array<{ name: string; mail_domains: string[] }>;
    expect(rows.find((r) => r.name === 'Initech')?.mail_domains.sort()).toEqual(['initech-labs.example', 'initech.example']);
    const bad = await cli(['org', 'create', '--name', 'Bad', '--tier', 'standard', '--domain', '*.bad.example']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/VALIDATION_FAILED: not a mail domain: \*\.bad\.example/);
    const taken = await cli(['org', 'create', '--name', 'Copycat', '--tier', 'standard', '--domain', 'initech.example']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/DOMAIN_TAKEN: mail domain initech\.example already belongs to another organization/);
    const names = (JSON.parse((await cli(['org', 'list', '--json'])).stdout) as Array<{ name: string }>).map((r) => r.name);
    expect(names).not.toContain('Bad');
    expect(names).not.toContain('Copycat');
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
    expect(r.stderr).toMatch(/an admin without a password can never sign in: give --invite .*, --password-stdin .* or --password, or set one later with `escalon user set-password/);
    expect(r.stderr).toMatch(/give --invite \(a set-password link is mailed to nopw-/);
    const both = await cli(['user', 'create', '--email', email, '--name', 'No Password', '--role', 'admin', '--invite', '--password', GOOD]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('error: give --password or --invite, not both (with --invite the user chooses their own password)\n');
    expect(await findUserByEmail(ctx.store.db, email)).toBeUndefined();
  });

  it('user create --invite: the account without a password, and a set-password link queued by mail', async () => {
    const email = `invited-${ctx.dialect}@example.com`;
    const saved = process.env.ESCALON_PUBLIC_URL;
    delete process.env.ESCALON_PUBLIC_URL;
    const r = await cli(['user', 'create', '--email', email, '--name', 'Ivy Invited', '--role', 'manager', '--invite']).finally(() => {
      if (saved !== undefined) process.env.ESCALON_PUBLIC_URL = saved;
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^created manager ${email} \\(id \\S+\\); an invitation \\(set-password link, valid until \\S+Z\\) was queued to ${email}; `));
    expect(r.stderr).toMatch(/^warning: ESCALON_PUBLIC_URL is not set, so the link in the mail points to http:\/\/localhost:8080/);
    const user = await findUserByEmail(ctx.store.db, email);
    expect(user?.passwordHash).toBeNull();
    const links = await ctx.store.db.selectFrom('password_links').selectAll().where('user_id', '=', user!.id).execute();
    expect(links.map((l) => [l.purpose, l.used_at, l.created_by])).toEqual([['invite', null, null]]);
    const mail = await ctx.store.db.selectFrom('outbox').selectAll().where('recipient', '=', email).execute();
    expect(mail.map((m) => [m.template, m.status])).toEqual([['account-set-password', 'pending']]);
    expect(String(mail[0]!.payload)).toMatch(/http:\/\/localhost:8080\/set-password\?token=/);

    const other = `invited2-${ctx.dialect}@example.com`;
    process.env.ESCALON_PUBLIC_URL = 'https://escalon.example.com';
    const r2 = await cli(['user', 'create', '--email', other, '--name', 'Ian Invited', '--role', 'agent', '--invite']).finally(() => {
      if (saved === undefined) delete process.env.ESCALON_PUBLIC_URL;
      else process.env.ESCALON_PUBLIC_URL = saved;
    });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toBe('');
    const mail2 = await ctx.store.db.selectFrom('outbox').select('payload').where('recipient', '=', other).execute();
    expect(String(mail2[0]!.payload)).toMatch(/"https:\/\/escalon\.example\.com\/set-password\?token=[A-Za-z0-9_-]+"/);
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
