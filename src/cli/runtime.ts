/** What the service commands share: the parsed configuration (or a listed refusal) and an opened store. */
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { fileProblem } from '../file-problem.ts';
import { openStore, type Store } from '../store/connect.ts';

export { fileProblem };

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(config.database.url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Prints a refusal (a DomainError or any error) without a stack trace and exits non-zero. */
export function fail(err: unknown): never {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`error${e.code ? ` ${e.code}` : ''}: ${e.message ?? String(err)}\n`);
  process.exit(1);
}

/** One line `escalon <command>: cannot read <path>: <why>` on standard error, exit status 1. */
export function failUnreadable(command: string, path: string, err: unknown, verb: 'read' | 'write' = 'read'): never {
  process.stderr.write(`escalon ${command}: cannot ${verb} ${path}: ${fileProblem(err)}\n`);
  process.exit(1);
}
