/**
 * The parent's side of timer-child.ts: spawns a scheduler process, follows what it reports,
 * moves its clock, and kills it with SIGKILL. Waiting is on the child's messages, never on the
 * wall clock; a guard fails the wait (with the child's stderr) if the child goes quiet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CHILD = fileURLToPath(new URL('./timer-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUARD_MS = 45_000;

/**
 * Bundles timer-child.ts into one file (packages stay external), so each restart loads in a
 * fraction of the time tsx needs to transform the app's modules one by one. The bundle lives
 * under node_modules/.cache so its package imports resolve. esbuild comes with tsx and vite.
 * Returns the bundle's path and a cleanup.
 */
export async function bundleChild(): Promise<{ path: string; remove: () => void }> {
  const dir = join(ROOT, 'node_modules', '.cache', 'escalon-tests');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `timer-child-${process.pid}-${Date.now()}.mjs`);
  await build({ entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: path, logLevel: 'warning' });
  return { path, remove: () => rmSync(path, { force: true }) };
}

export interface ChildMessage {
  kind: 'ready' | 'fired' | 'idle' | 'done' | 'held';
  value: number;
}

export class SchedulerProcess {
  /** Timers fired by this process (committed). */
  fired = 0;
  /** The latest clock value at which the child reported `idle` / `done`. */
  idleAt = -1;
  doneAt = -1;
  ready = false;
  /** Stopped mid-batch after `hold()`: a kill now lands while timers are being fired. */
  held = false;
  private readonly child: ChildProcess;
  private stderr = '';
  private exited: Promise<number | null>;
  private alive = true;
  private waiters: Array<() => void> = [];

  /** `script`: a bundle from bundleChild(), or the TypeScript source (run through tsx) when absent. */
  /** `hold`: stop mid-batch after that many firings (as `hold()`), from the start. */
  constructor(url: string, now: number, readonly owner: string, script?: string, batch = 100, hold?: number) {
    this.child = spawn(process.execPath, script ? [script] : ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: { ...process.env, ESCALON_DATABASE_URL: url, CHILD_NOW: String(now), CHILD_OWNER: owner, CHILD_BATCH: String(batch), ...(hold ? { CHILD_HOLD: String(hold) } : {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.stdin?.on('error', () => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.alive = false;
        this.notify();
        resolve(code);
      });
    });
  }

  private onLine(line: string): void {
    const [kind, value] = line.split(' ');
    if (kind === 'ready') this.ready = true;
    else if (kind === 'fired') this.fired = Number(value);
    else if (kind === 'idle') this.idleAt = Number(value);
    else if (kind === 'done') this.doneAt = Number(value);
    else if (kind === 'held') this.held = true;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next message (or exit) of this child. */
  nextMessage(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get running(): boolean {
    return this.alive;
  }

  get diagnostics(): string {
    return `[${this.owner}] stderr: ${this.stderr || '(empty)'}`;
  }

  setNow(ms: number): void {
    this.child.stdin?.write(`now ${ms}\n`);
  }

  /** Stop for good after `n` more firings inside a batch's transaction, and report `held`. */
  hold(n: number): void {
    this.child.stdin?.write(`hold ${n}\n`);
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * Waits until `done()` holds, re-checking after every message of any of `children`. Fails when
 * a child exits on its own or nothing satisfies `done` within the guard.
 */
export async function waitFor(children: SchedulerProcess[], done: () => boolean, what: string): Promise<void> {
  const guard = Date.now() + GUARD_MS;
  while (!done()) {
    const dead = children.find((c) => !c.running);
    if (dead) throw new Error(`scheduler ${dead.owner} exited on its own while waiting for ${what}\n${dead.diagnostics}`);
    if (Date.now() > guard) throw new Error(`no ${what} within ${GUARD_MS} ms\n${children.map((c) => c.diagnostics).join('\n')}`);
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1000);
    });
    await Promise.race([...children.map((c) => c.nextMessage()), tick]);
    clearTimeout(timer);
  }
}
