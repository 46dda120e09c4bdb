/**
 * The `escalon` command line. Each command lives in its own file and registers itself here.
 */
import { Command } from 'commander';

const program = new Command();
program.name('escalon').description('Escalon — self-hosted ticket escalation').showHelpAfterError();

// Commands register below, one import and one call each.

await program.parseAsync(process.argv);
