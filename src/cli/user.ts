/**
 * `escalon user create|list|set-password`. A staff account is created only with a way to sign in:
 * `--password`, `--password-stdin` or `--invite` (the set-password link goes out by mail through the
 * outbox, as POST /api/v1/users {invite: true} sends it: sendPasswordLink). The link itself is not
 * printed: it is a credential, and the mail is its only channel (as in the API).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { createUser } from '../app/create-user.ts';
import { sendPasswordLink } from '../app/password-links.ts';
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
        if (o.invite && password) fail(new Error(`give ${password.flag} or --invite, not both (with --invite the user chooses their own password)`));
        if (!password && !o.invite && role !== 'customer') {
          fail(
            new Error(
              `${role === 'admin' ? 'an' : 'a'} ${role} without a password can never sign in: give --invite (a set-password link is mailed to ${email}), --password-stdin (printf %s "$PASSWORD" | escalon user create … --password-stdin) or --password, or set one later with \`escalon user set-password --email ${email} --password …\``,
            ),
          );
        }
        const config = loadConfigOrExit();
        try {
          const { created, link } = await withStore(config, async (store) => {
            const deps = { store, clock: systemClock, attachmentLimit: config.http.attachmentLimit };
            const org = o.org !== undefined ? await resolveOrganization(store, o.org) : undefined;
            const created = await createUser(deps, {
              email,
              name: o.name.trim(),
              role,
              organizationId: org?.id ?? null,
              ...(password && { password: password.value }),
              ...(o.phone !== undefined && { phone: o.phone }),
              ...(o.timeZone !== undefined && { timeZone: o.timeZone }),
            });
            const link = o.invite ? await sendPasswordLink(deps, { userId: created.id, purpose: 'invite', by: null, publicUrl: config.notify.publicUrl }) : null;
            return { created, link };
          });
          const signIn = link
            ? `an invitation (set-password link, valid until ${new Date(link.expiresAt).toISOString()}) was queued to ${link.email}; the running server's mail worker sends it`
            : password
              ? 'can sign in with the password given'
              : 'has no password: they write in by mail or the web form; `escalon user set-password` gives them one';
          process.stdout.write(`created ${created.role} ${created.email} (id ${created.id}); ${signIn}\n`);
          if (link && config.http.publicOrigin === undefined) {
            process.stderr.write(`warning: ESCALON_PUBLIC_URL is not set, so the link in the mail points to ${config.notify.publicUrl}; set it to the console's address (then the console's Users page or POST /api/v1/users/${created.id}/invite sends a new link)\n`);
          }
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
