/** `escalon token create --user EMAIL --name NAME`: prints the new API token once. */
import type { Command } from 'commander';
import { createToken } from '../app/create-token.ts';
import { systemClock } from '../app/deps.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function register(program: Command): void {
  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('issue an API token for a user (printed once; only its digest is stored)')
    .requiredOption('--user <email>', "the user's email")
    .requiredOption('--name <name>', 'what the token is for')
    .action(async (o: { user: string; name: string }) => {
      const config = loadConfigOrExit();
      try {
        const { token: t, secret } = await withStore(config, (store) =>
          createToken({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, { user: { email: o.user }, name: o.name }),
        );
        process.stderr.write(`token ${t.id} for ${o.user}; it is shown once, store it now:\n`);
        process.stdout.write(`${secret}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
