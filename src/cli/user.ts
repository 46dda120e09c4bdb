/** `escalon user create --email --name --role [--org] [--password]`. */
import type { Command } from 'commander';
import { createUser } from '../app/create-user.ts';
import { systemClock } from '../app/deps.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function register(program: Command): void {
  const user = program.command('user').description('manage user accounts');
  user
    .command('create')
    .description('create a user account')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--org <organizationId>', 'organization id (customers only)')
    .option('--password <password>', 'password for signing in to the console (10+ characters)')
    .option('--phone <number>', 'phone number for SMS notices, international form (+15551234567)')
    .option('--time-zone <zone>', 'IANA time zone for times in notices (Europe/Berlin)')
    .action(async (o: { email: string; name: string; role: string; org?: string; password?: string; phone?: string; timeZone?: string }) => {
      if (!(ROLES as readonly string[]).includes(o.role)) fail(new Error(`--role must be one of ${ROLES.join(', ')} (got '${o.role}')`));
      if (o.password !== undefined && o.password.length < 10) fail(new Error('--password must be at least 10 characters'));
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
}
