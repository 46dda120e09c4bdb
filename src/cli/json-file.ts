/**
 * Reading a JSON file a user names on the command line (a risk model, a labels file): a missing
 * file or bad JSON is one line naming the file and what to give instead, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { fileProblem } from '../file-problem.ts';
import { CliError } from './simulate.ts';

/** `noun` names the file in messages ("model", "labels"); `hint` says what a right one is. */
export function readJsonFile(path: string, noun: string, hint: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${noun} ${path}: ${fileProblem(e)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${noun} ${path} is not valid JSON (${(e as Error).message}); ${hint}`);
  }
}

export const MODEL_HINT = 'give a file written by `escalon risk train`';

/** Reads a model file and hands it to `load`; a refusal is a CliError naming the file. */
export function readModelFile<M>(path: string, load: (json: unknown) => M): M {
  const json = readJsonFile(path, 'model', MODEL_HINT);
  try {
    return load(json);
  } catch (e) {
    if (e instanceof CliError || !(e instanceof Error)) throw e;
    throw new CliError(`model ${path}: ${e.message}`);
  }
}
