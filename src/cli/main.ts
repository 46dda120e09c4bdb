/**
 * The `escalon` command line. Each command lives in its own file and registers itself here.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerImport } from './import.ts';
import { register as registerMigrate } from './migrate.ts';
import { register as registerOrg } from './org.ts';
import { register as registerPolicyApply } from './policy-apply.ts';
import { register as registerPolicyDiff } from './policy-diff.ts';
import { register as registerPolicyHistory } from './policy-history.ts';
import { register as registerPolicyRollback } from './policy-rollback.ts';
import { register as registerPolicyShow } from './policy-show.ts';
import { register as registerPolicyValidate } from './policy-validate.ts';
import { register as registerReport } from './report.ts';
import { register as registerRisk } from './risk.ts';
import { addRiskUse } from './risk-use.ts';
import { register as registerSeed } from './seed.ts';
import { register as registerServe } from './serve.ts';
import { register as registerSimulate } from './simulate.ts';
import { register as registerToken } from './token.ts';
import { register as registerUser } from './user.ts';

const program = new Command();
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
program.name('escalon').description('Escalon — self-hosted ticket escalation').version(version, '-V, --version', 'print the version').showHelpAfterError();

// Commands register below, one import and one call each.
registerImport(program);
registerPolicyValidate(program);
registerPolicyApply(program);
registerPolicyHistory(program);
registerPolicyShow(program);
registerPolicyDiff(program);
registerPolicyRollback(program);
registerSimulate(program);
registerServe(program);
registerMigrate(program);
registerSeed(program);
registerOrg(program);
registerUser(program);
registerToken(program);
registerReport(program);
addRiskUse(registerRisk(program));

await program.parseAsync(process.argv);
