/** Runs `escalon …` commands in this process (spawning tsx per run is slow): exit code, stdout, stderr. */
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { vi } from 'vitest';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** `registers` are the command modules' register functions; `stdin` is piped in when given. */
export async function runCli(registers: Array<(p: Command) => void>, args: string[], databaseUrl: string, stdin?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const saved = process.env.ESCALON_DATABASE_URL;
  process.env.ESCALON_DATABASE_URL = databaseUrl;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const exit = vi.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
    throw new ExitCalled(Number(code ?? 0));
  });
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (stdin !== undefined) Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(stdin)]), configurable: true });
  try {
    const program = new Command().exitOverride();
    for (const r of registers) r(program);
    await program.parseAsync(['node', 'escalon', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof ExitCalled) return { code: e.code, stdout, stderr };
    throw e;
  } finally {
    out.mockRestore();
    err.mockRestore();
    exit.mockRestore();
    if (stdin !== undefined && realStdin) Object.defineProperty(process, 'stdin', realStdin);
    if (saved === undefined) delete process.env.ESCALON_DATABASE_URL;
    else process.env.ESCALON_DATABASE_URL = saved;
  }
}
