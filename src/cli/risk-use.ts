/**
 * `escalon risk use MODEL.json` / `escalon risk use --none` (issue 14): sets the risk model in
 * force (a new version of the setting; every node takes it at its next change and the scheduler
 * rescored the open tickets within seconds) or switches risk prediction off. A model file that
 * does not load is refused with what is wrong, nothing set. `addRiskUse` adds the subcommand to
 * the `risk` command group (src/cli/risk.ts creates it).
 */
import type { Command } from 'commander';
import { systemClock } from '../app/deps.ts';
import { clearRiskModel, setRiskModel, type RiskModelDeps } from '../app/risk-model.ts';
import { defaultRiskRegistry, type RiskRegistry } from '../app/risk-registry.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { CLI_ACTOR } from './policy-store.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';
import { MODEL_HINT, readJsonFile } from './json-file.ts';

export interface RiskUseOptions {
  none?: boolean;
}

/** What the command does, with the registry injected (tests); returns the line it prints. */
export async function riskUse(deps: Omit<RiskModelDeps, 'risk'>, risk: RiskRegistry | null, file: string | undefined, opts: RiskUseOptions): Promise<string> {
  const d: RiskModelDeps = { ...deps, risk };
  if (opts.none) {
    if (file !== undefined) throw new Error('give either a model file or --none, not both');
    const v = await clearRiskModel(d, CLI_ACTOR);
    return `risk prediction off (setting version ${v.version}): no model in force, scores cleared`;
  }
  if (file === undefined) throw new Error('give the model file (escalon risk train --out writes one), or --none to switch risk prediction off');
  const json = readJsonFile(file, 'model', MODEL_HINT);
  const v = await setRiskModel(d, CLI_ACTOR, json);
  const m = v.meta;
  return `risk model ${v.modelId} in force (setting version ${v.version})${m ? `: ${m.target}, trained ${m.trainedAt} on ${m.tickets} tickets through ${m.trainedThrough}, validation AUC ${m.validation.auc.toFixed(3)}` : ''}; open tickets are rescored by the scheduler within seconds`;
}

export function addRiskUse(risk: Command): Command {
  risk
    .command('use')
    .description('set the risk model in force for the server (a new version of the setting), or --none to switch risk prediction off')
    .argument('[model]', 'model file written by escalon risk train')
    .option('--none', 'no model: no scores, no risk events')
    .action(async (file: string | undefined, opts: RiskUseOptions) => {
      const config = loadConfigOrExit();
      try {
        const line = await withStore(config, async (store) => {
          if (store.dialect === 'sqlite') await migrateToLatest(store);
          return riskUse({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, defaultRiskRegistry(), file, opts);
        });
        process.stdout.write(`${line}\n`);
      } catch (err) {
        fail(err);
      }
    });
  return risk;
}
