/**
 * PostgreSQL's own client tools (pg_dump, pg_restore, psql) as child processes. The password of
 * the database URL goes in PGPASSWORD, never on a command line (`ps` shows those).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BackupError } from './manifest.ts';

export interface PgTools {
  pgDump: string;
  pgRestore: string;
  psql: string;
}

export const DEFAULT_PG_TOOLS: PgTools = { pgDump: 'pg_dump', pgRestore: 'pg_restore', psql: 'psql' };

/** The URL without its password, and the environment that carries it. */
export function pgConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  // libpq reads postgres:// and postgresql:// alike.
  return { url: u.toString(), env };
}

/** The words for a tool that could not be started (usually: not installed). */
export function toolMissing(tool: string, option: string, err: NodeJS.ErrnoException): BackupError {
  if (err.code === 'ENOENT') {
    return new BackupError(
      `${tool} was not found: install PostgreSQL's client tools of the server's major version or newer (Debian: apt-get install postgresql-client), or name the program with ${option} PATH`,
    );
  }
  return new BackupError(`${tool} could not be started: ${err.message}`);
}

/** Waits for a child; resolves with its exit code and the end of its standard error. */
export function finished(child: ChildProcess, tool: string, option: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(toolMissing(tool, option, err as NodeJS.ErrnoException)));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr: stderr.trim() }));
  });
}

/** Runs a tool to completion; a non-zero exit is a BackupError with what it printed. */
export async function run(bin: string, args: string[], env: NodeJS.ProcessEnv, tool: string, option: string): Promise<void> {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const { code, stderr } = await finished(child, tool, option);
  if (code !== 0) throw new BackupError(`${tool} failed (exit ${code}): ${stderr || 'no message'}`);
}
