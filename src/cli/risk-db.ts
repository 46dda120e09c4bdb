import type { Writable } from 'node:stream';
import type { TrainFlags } from './risk.ts';
import { CliError } from './simulate.ts';

export async function trainFromDb(_flags: TrainFlags, _err: Writable): Promise<string> {
  throw new CliError('--from-db is not available yet');
}
