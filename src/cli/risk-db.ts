/**
 * `escalon risk train --from-db [--target breach|escalation] --out MODEL.json`: the same
 * training as from a workload, on the tickets of the configured database (histories rebuilt by
 * src/app/risk-history.ts). Only solved or closed tickets train; the others are replayed for the
 * requesters' profiles.
 */
import type { Writable } from 'node:stream';
import { readDbHistory } from '../app/risk-history.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import type { RiskTarget } from '../domain/risk/api.ts';
import { type TrainFlags, train } from './risk.ts';
import { loadConfigOrExit, withStore } from './runtime.ts';
import { CliError } from './simulate.ts';

export async function trainFromDb(flags: TrainFlags, err: Writable): Promise<string> {
  const target = (flags.target ?? 'breach') as RiskTarget;
  if (target !== 'breach' && target !== 'escalation') throw new CliError(`--target ${flags.target}: use breach or escalation`);
  const seed = flags.seed === undefined ? 42 : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new CliError(`--seed ${flags.seed}: give a whole number (a 32-bit integer)`);
  const config = loadConfigOrExit();
  const history = await withStore(config, (store) => readDbHistory(store, target));
  if (!history.policySource) throw new CliError('no policy has been applied to this database: apply one first (escalon policy apply FILE)');
  const parsed = parsePolicy(history.policySource.source, { format: history.policySource.format });
  if (!parsed.ok) throw new CliError('the policy in force does not parse any more; apply a valid one first');
  // Tickets not finished are replayed but not trained on: give them no label.
  const bad = new Map([...history.bad].filter(([ref]) => history.finished.has(ref)));
  const lines = history.lines;
  return train(lines, bad, parsed.policy, target, seed, null, { out: flags.out, progress: flags.progress, fromDb: true }, err);
}
