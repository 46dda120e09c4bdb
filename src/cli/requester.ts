/**
 * `escalon requester export EMAIL` (everything stored about a requester, JSON) and
 * `escalon requester erase EMAIL --confirm [--by ADMIN_EMAIL]` (docs/security.md, "Personal
 * data: export and erasure").
 */
import type { Command } from 'commander';
import { systemClock } from '../app/deps.ts';
import { eraseRequester, exportRequester } from '../app/personal-data.ts';
import { diskByteStore } from '../store/byte-store.ts';
import { findUserByEmail } from '../store/users-repo.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function register(program: Command): void {
  const group = program.command('requester').description("a requester's personal data: export it, erase it");
  group
    .command('export')
    .argument('<email>', "the requester's email address")
    .description('print everything stored about a requester as JSON')
    .action(async (email: string) => {
      const config = loadConfigOrExit();
      try {
        const doc = await withStore(config, (store) =>
          exportRequester(
            { store, clock: systemClock, attachmentLimit: config.http.attachmentLimit },
            { email },
          ),
        );
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      } catch (err) {
        fail(err);
      }
    });
  group
    .command('erase')
    .argument('<email>', "the requester's email address")
    .option('--confirm', 'required: the erasure cannot be undone')
    .option('--by <admin-email>', 'the admin doing it, recorded on each affected ticket (default: system)')
    .description(
      "erase a requester's name, email, phone and message texts everywhere (tickets, SLA and escalation history are kept)",
    )
    .action(async (email: string, o: { confirm?: boolean; by?: string }) => {
      const config = loadConfigOrExit();
      if (!o.confirm) {
        process.stderr.write(
          `error: erasing ${email} cannot be undone; add --confirm to go ahead (\`escalon requester export ${email}\` first if they asked for a copy)\n`,
        );
        process.exit(1);
      }
      try {
        const r = await withStore(config, async (store) => {
          let actor = 'system';
          if (o.by) {
            const admin = await findUserByEmail(store.db, o.by);
            if (!admin || admin.role !== 'admin')
              throw Object.assign(new Error(`--by ${o.by} is not an admin account`), {
                code: 'VALIDATION_FAILED',
              });
            actor = `user:${admin.id}`;
          }
          return eraseRequester(
            {
              store,
              clock: systemClock,
              attachmentLimit: config.http.attachmentLimit,
              files: diskByteStore(config.attachments.dir),
            },
            { email },
            actor,
          );
        });
        process.stdout.write(
          r.already_erased
            ? `requester ${r.requester_id} was already erased; nothing left to erase\n`
            : `erased requester ${r.requester_id}: ${r.tickets.length} ticket(s) recorded (${r.tickets.join(', ') || '-'}), ${r.event_fields} event field(s), ${r.comments} comment(s), ${r.attachments} attachment(s), ${r.other_rows} other row(s)\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
