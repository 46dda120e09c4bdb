/**
 * `escalon serve`'s graceful stop (src/cli/serve.ts gracefulShutdown), in process: the order
 * (api and intake first, then the rest together), the deadline, and a second signal. The real
 * processes under load: test/crash/graceful-shutdown.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { gracefulShutdown, type NamedService } from '../../src/cli/serve.ts';
import type { Store } from '../../src/store/connect.ts';

function harness(services: Array<{ name: string; stop: () => Promise<void> }>, timeoutMs = 5_000) {
  const lines: string[] = [];
  const order: string[] = [];
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  let storeClosed = false;
  const store = { close: async () => void (storeClosed = true) } as unknown as Store;
  const running: NamedService[] = services.map((s) => ({
    name: s.name,
    service: {
      stop: async () => {
        order.push(`${s.name}:begin`);
        await s.stop();
        order.push(`${s.name}:end`);
      },
    },
  }));
  const signal = gracefulShutdown(running, store, timeoutMs, (l) => lines.push(l), (c) => exited(c));
  return { signal, exit, lines, order, storeClosed: () => storeClosed };
}

const never = () => new Promise<void>(() => undefined);
const soon = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('escalon serve: the graceful stop', () => {
  it('stops the api (and intake) before the scheduler and notifier, closes the store, exits 0', async () => {
    const h = harness([
      { name: 'api', stop: soon(30) },
      { name: 'scheduler', stop: soon(10) },
      { name: 'notifier', stop: soon(10) },
      { name: 'intake', stop: soon(10) },
    ]);
    h.signal('SIGTERM');
    expect(await h.exit).toBe(0);
    const i = (s: string) => h.order.indexOf(s);
    expect(i('api:end')).toBeLessThan(i('scheduler:begin'));
    expect(i('intake:end')).toBeLessThan(i('notifier:begin'));
    expect(h.storeClosed()).toBe(true);
    expect(h.lines[0]).toMatch(/Escalon stopping \(SIGTERM\): taking no new requests/);
    expect(h.lines.at(-1)).toBe('Escalon stopped.');
  });

  it('exits 1 at the deadline, naming what was still stopping', async () => {
    const h = harness([{ name: 'api', stop: soon(1) }, { name: 'notifier', stop: never }], 200);
    h.signal('SIGTERM');
    expect(await h.exit).toBe(1);
    expect(h.lines.at(-1)).toMatch(/not stopped within 0 s \(still stopping: notifier\); exiting/);
  });

  it('exits 1 at once on a second signal', async () => {
    const h = harness([{ name: 'scheduler', stop: never }], 60_000);
    h.signal('SIGTERM');
    h.signal('SIGINT');
    expect(await h.exit).toBe(1);
    expect(h.lines.at(-1)).toMatch(/SIGINT again: exiting now/);
  });

  it('a service whose stop fails does not keep the others running; the exit code says so', async () => {
    const h = harness([
      { name: 'api', stop: () => Promise.reject(new Error('boom')) },
      { name: 'scheduler', stop: soon(1) },
    ]);
    h.signal('SIGTERM');
    expect(await h.exit).toBe(1);
    expect(h.order).toContain('scheduler:end');
    expect(h.lines.join('\n')).toMatch(/stopping api failed: boom/);
  });
});
