/**
 * The `escalon` command line. Each command lives in its own file and registers itself here.
 * Only the command named on the command line is loaded (each one's modules and packages are
 * imported on demand, so `escalon --version` or `escalon policy validate` do not load the
 * server); help, or a name that is not a command, loads them all.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

type Registrar = (program: Command) => Promise<void>;

// Commands in the order help lists them: one entry per top-level name, one import each.
const COMMANDS: ReadonlyArray<[string, Registrar]> = [
  ['import', async (p) => (await import('./import.ts')).register(p)],
  [
    'policy',
    async (p) => {
      // The policy group's subcommands, in the order help lists them.
      const [validate, apply, history, show, diff, rollback] = await Promise.all([
        import('./policy-validate.ts'),
        import('./policy-apply.ts'),
        import('./policy-history.ts'),
        import('./policy-show.ts'),
        import('./policy-diff.ts'),
        import('./policy-rollback.ts'),
      ]);
      for (const m of [validate, apply, history, show, diff, rollback]) m.register(p);
    },
  ],
  ['simulate', async (p) => (await import('./simulate.ts')).register(p)],
  ['serve', async (p) => (await import('./serve.ts')).register(p)],
  ['migrate', async (p) => (await import('./migrate.ts')).register(p)],
  ['backup', async (p) => (await import('./backup.ts')).register(p)],
  ['restore', async (p) => (await import('./restore.ts')).register(p)],
  ['seed', async (p) => (await import('./seed.ts')).register(p)],
  ['org', async (p) => (await import('./org.ts')).register(p)],
  ['user', async (p) => (await import('./user.ts')).register(p)],
  ['token', async (p) => (await import('./token.ts')).register(p)],
  ['report', async (p) => (await import('./report.ts')).register(p)],
  ['audit', async (p) => (await import('./audit.ts')).register(p)],
  ['requester', async (p) => (await import('./requester.ts')).register(p)],
  [
    'risk',
    async (p) => {
      const [risk, use] = await Promise.all([import('./risk.ts'), import('./risk-use.ts')]);
      use.addRiskUse(risk.register(p));
    },
  ],
];

const program = new Command();
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
program.name('escalon').description('Escalon — self-hosted ticket escalation').version(version, '-V, --version', 'print the version').showHelpAfterError();

const named = process.argv[2];
const only = COMMANDS.find(([name]) => name === named);
if (only) await only[1](program);
else if (named !== '--version' && named !== '-V') for (const [, register] of COMMANDS) await register(program);

await program.parseAsync(process.argv);
