/** `escalon user create --email --name --role [--org] [--password]`; `escalon user set-password --email --password`. */
import type { Command } from 'commander';
import { createUser } from '../app/create-user.ts';
import { updateUser } from '../app/update-user.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { findUserByEmail } from '../store/users-repo.ts';
import { systemClock } from '../app/deps.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

/** Refuses a weak --password before anything is opened (the same rules as the API's). */
function strongOrExit(password: string): void {
  try {
    assertStrongPassword(password, '--password');
  } catch (err) {
    fail(err);
  }
}

export function register(program: Command): void {
  const user = program.command('user').description('manage user accounts');
  user
    .command('create')
    .description('create a user account')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--org <organizationId>', 'organization id (customers only)')
    .option('--password <password>', 'password for signing in to the console (12+ characters, not only spaces, not a common password)')
    .option('--phone <number>', 'phone number for SMS notices, international form (+15551234567)')
    .option('--time-zone <zone>', 'IANA time zone for times in notices (Europe/Berlin)')
    .action(async (o: { email: string; name: string; role: string; org?: string; password?: string; phone?: string; timeZone?: string }) => {
      if (!(ROLES as readonly string[]).includes(o.role)) fail(new Error(`--role must be one of ${ROLES.join(', ')} (got '${o.role}')`));
      if (o.password !== undefined) strongOrExit(o.password);
      const config = loadConfigOrExit();
      try {
        const created = await withStore(config, (store) =>
          createUser({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, {
            email: o.email,
            name: o.name,
            role: o.role as Role,
            organizationId: o.org ?? null,
            ...(o.password !== undefined && { password: o.password }),
            ...(o.phone !== undefined && { phone: o.phone }),
            ...(o.timeZone !== undefined && { timeZone: o.timeZone }),
          }),
        );
        process.stdout.write(`created ${created.role} ${created.email} (id ${created.id})\n`);
      } catch (err) {
        fail(err);
      }
    });

  user
    .command('set-password')
    .description("set (reset) a user's password: all their sessions end and all their API tokens are revoked")
    .requiredOption('--email <email>', 'sign-in email of the account')
    .requiredOption('--password <password>', 'the new password (12+ characters, not only spaces, not a common password)')
    .action(async (o: { email: string; password: string }) => {
      strongOrExit(o.password);
      const config = loadConfigOrExit();
      try {
        const done = await withStore(config, async (store) => {
          const deps = { store, clock: systemClock, attachmentLimit: config.http.attachmentLimit };
          const found = await findUserByEmail(store.db, o.email);
          if (!found) throw Object.assign(new Error(`no user with email '${o.email}'`), { code: 'USER_NOT_FOUND' });
          return updateUser(deps, found.id, { password: o.password });
        });
        const ended = done.accessEnded ?? { sessions: 0, tokens: 0 };
        process.stdout.write(`password set for ${done.email}; ended ${ended.sessions} session(s), revoked ${ended.tokens} API token(s)\n`);
      } catch (err) {
        fail(err);
      }
    });
}
