/**
 * `escalon user create|list|set-password`. A staff account is created only with a way to sign in:
 * `--password`, `--password-stdin` or `--invite` (refused, with how to proceed, until invitations exist).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { createUser } from '../app/create-user.ts';
import { updateUser } from '../app/update-user.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { findUserByEmail, listUsers } from '../store/users-repo.ts';
import { listOrganizations } from '../store/organizations-repo.ts';
import { systemClock } from '../app/deps.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { resolveOrganization } from './org.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';
import { printRows } from './table.ts';

/** Refuses a weak password before anything is opened (the same rules as the API's). */
function strongOrExit(password: string, flag: string): void {
  try {
    assertStrongPassword(password, flag);
  } catch (err) {
    fail(err);
  }
}

function roleOrExit(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) fail(new Error(`--role must be one of ${ROLES.join(', ')} (got '${role}')`));
  return role as Role;
}

function emailOrExit(email: string): string {
  const e = email.trim();
  if (!z.email().safeParse(e).success) fail(new Error(`--email must be an email address such as ana@example.com (got '${email}')`));
  return e;
}

/** The whole of standard input, without its final line break (`printf %s "$PW" | escalon … --password-stdin`). */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) fail(new Error('--password-stdin reads the password from standard input: pipe it in (printf %s "$PASSWORD" | escalon …)'));
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') fail(new Error('--password-stdin: standard input was empty'));
  return text;
}

/** A password from --password or --password-stdin (never both), or undefined. */
async function passwordOption(o: { password?: string; passwordStdin?: boolean }): Promise<{ value: string; flag: string } | undefined> {
  if (o.password !== undefined && o.passwordStdin) fail(new Error('give --password or --password-stdin, not both'));
  if (o.passwordStdin) return { value: await readPasswordFromStdin(), flag: '--password-stdin' };
  if (o.password !== undefined) return { value: o.password, flag: '--password' };
  return undefined;
}

export function register(program: Command): void {
  const user = program.command('user').description('manage user accounts');
  user
    .command('create')
    .description('create a user account (staff need a password or an invitation to sign in)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--org <organization>', 'organization id or exact name (customers only; `escalon org list` lists them)')
    .option('--password <password>', 'password for signing in to the console (12+ characters, not only spaces, not a common password)')
    .option('--password-stdin', 'read the password from standard input (keeps it out of the shell history)')
    .option('--invite', 'send a set-password link instead of setting a password')
    .option('--phone <number>', 'phone number for SMS notices, international form (+15551234567)')
    .option('--time-zone <zone>', 'IANA time zone for times in notices (Europe/Berlin)')
    .action(
      async (o: { email: string; name: string; role: string; org?: string; password?: string; passwordStdin?: boolean; invite?: boolean; phone?: string; timeZone?: string }) => {
        const role = roleOrExit(o.role);
        const email = emailOrExit(o.email);
        if (o.name.trim() === '') fail(new Error('--name must not be empty'));
        const password = await passwordOption(o);
        if (password) strongOrExit(password.value, password.flag);
        if (o.invite) {
          fail(
            new Error(
              `--invite: this server cannot send invitations yet; create the account with --password-stdin (or --password), or create it and then set one with \`escalon user set-password --email ${email} --password …\``,
            ),
          );
        }
        if (!password && role !== 'customer') {
          fail(
            new Error(
              `${role === 'admin' ? 'an' : 'a'} ${role} without a password can never sign in: give --password-stdin (printf %s "$PASSWORD" | escalon user create … --password-stdin) or --password, or set one later with \`escalon user set-password --email ${email} --password …\``,
            ),
          );
        }
        const config = loadConfigOrExit();
        try {
          const created = await withStore(config, async (store) => {
            const org = o.org !== undefined ? await resolveOrganization(store, o.org) : undefined;
            return createUser({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, {
              email,
              name: o.name.trim(),
              role,
              organizationId: org?.id ?? null,
              ...(password && { password: password.value }),
              ...(o.phone !== undefined && { phone: o.phone }),
              ...(o.timeZone !== undefined && { timeZone: o.timeZone }),
            });
          });
          const signIn = password ? 'can sign in with the password given' : 'has no password: they write in by mail or the web form; `escalon user set-password` gives them one';
          process.stdout.write(`created ${created.role} ${created.email} (id ${created.id}); ${signIn}\n`);
        } catch (err) {
          fail(err);
        }
      },
    );

  user
    .command('list')
    .description('every user: id, email, name, role, organization, active, whether they have a password')
    .option('--role <role>', `only this role (${ROLES.join(', ')})`)
    .option('--json', 'print JSON instead of a table')
    .action(async (o: { role?: string; json?: boolean }) => {
      const role = o.role === undefined ? undefined : roleOrExit(o.role);
      const config = loadConfigOrExit();
      try {
        const rows = await withStore(config, async (store) => {
          const orgs = new Map((await listOrganizations(store.db)).map((g) => [g.id, g.name]));
          return (await listUsers(store.db))
            .filter((u) => role === undefined || u.role === role)
            .map((u) => ({
              id: u.id,
              email: u.email,
              name: u.name,
              role: u.role,
              organization: u.organizationId ? (orgs.get(u.organizationId) ?? u.organizationId) : null,
              active: u.active,
              password: u.passwordHash !== null,
            }));
        });
        printRows(rows, ['id', 'email', 'name', 'role', 'organization', 'active', 'password'], { json: o.json ?? false, empty: role ? `no ${role} accounts` : 'no users' });
      } catch (err) {
        fail(err);
      }
    });

  user
    .command('set-password')
    .description("set (reset) a user's password: all their sessions end and all their API tokens are revoked")
    .requiredOption('--email <email>', 'sign-in email of the account')
    .option('--password <password>', 'the new password (12+ characters, not only spaces, not a common password)')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (o: { email: string; password?: string; passwordStdin?: boolean }) => {
      const password = await passwordOption(o);
      if (!password) fail(new Error('give the new password with --password-stdin or --password'));
      strongOrExit(password.value, password.flag);
      const config = loadConfigOrExit();
      try {
        const done = await withStore(config, async (store) => {
          const deps = { store, clock: systemClock, attachmentLimit: config.http.attachmentLimit };
          const found = await findUserByEmail(store.db, o.email);
          if (!found) throw Object.assign(new Error(`no user with email '${o.email}' (\`escalon user list\` lists them)`), { code: 'USER_NOT_FOUND' });
          return updateUser(deps, found.id, { password: password.value });
        });
        const ended = done.accessEnded ?? { sessions: 0, tokens: 0 };
        process.stdout.write(`password set for ${done.email}; ended ${ended.sessions} session(s), revoked ${ended.tokens} API token(s)\n`);
      } catch (err) {
        fail(err);
      }
    });
}
