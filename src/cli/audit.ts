/**
 * `escalon audit verify [--anchor HASH]…`: recomputes every ticket's audit chain and reports
 * each edited, deleted, reordered or inserted event with its ticket and position (exit 1 when
 * anything does not match); checks the latest stored anchor and any anchor hash given (an
 * operator's copy kept outside the database). `escalon audit anchor`: takes an anchor now and
 * prints it. docs/security.md, "Tamper-evident audit trail".
 */
import type { Command } from 'commander';
import { verifyAudit, writeAnchor } from '../store/audit-repo.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

const HEX64 = /^[0-9a-f]{64}$/;

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('the tamper-evident audit trail: verify the event chains, take an anchor');
  audit
    .command('verify')
    .description(
      "recompute every ticket's event chain; report edited, deleted or reordered events (exit 1 if any)",
    )
    .option(
      '--anchor <hash>',
      'also check an anchor hash kept outside the database (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { anchor: string[]; json?: boolean }) => {
      const config = loadConfigOrExit();
      for (const a of opts.anchor) {
        if (!HEX64.test(a)) {
          process.stderr.write(
            `error: --anchor must be a 64-digit lower-case hex hash as printed by the server log or \`escalon audit anchor\` (got '${a}')\n`,
          );
          process.exit(1);
        }
      }
      let result;
      try {
        result = await withStore(config, (store) => verifyAudit(store.db, { anchors: opts.anchor }));
      } catch (err) {
        fail(err);
      }
      const bad = result.problems.length > 0 || result.anchors.some((a) => !a.ok);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok: !bad, ...result }, null, 2)}\n`);
      else {
        for (const p of result.problems) process.stdout.write(`${p.kind.toUpperCase()}: ${p.message}\n`);
        for (const a of result.anchors) if (a.ok) process.stdout.write(`${a.message}\n`);
        if (result.anchors.length === 0)
          process.stdout.write('no anchor to check (none stored yet, none given)\n');
        process.stdout.write(
          bad
            ? `audit verify: FAILED — ${result.problems.length} problem(s) in ${result.tickets} tickets, ${result.events} events\n`
            : `audit verify: ok — ${result.tickets} tickets, ${result.events} events, every chain intact\n`,
        );
      }
      if (bad) process.exit(1);
    });
  audit
    .command('anchor')
    .description(
      "take an anchor now: a hash over every ticket's chain head (keep a copy outside the database)",
    )
    .action(async () => {
      const config = loadConfigOrExit();
      try {
        const a = await withStore(config, (store) => writeAnchor(store.db, Date.now(), 'cli'));
        process.stdout.write(
          `audit anchor ${a.hash} at ${new Date(a.at).toISOString()} over ${a.tickets} tickets, ${a.events} events\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
