/**
 * PostgreSQL LISTEN/NOTIFY for this process: one dedicated connection (never a pool client),
 * reconnecting with back-off when it is lost. Subscribers name a channel; payloads are small
 * strings (PostgreSQL caps them at 8000 bytes — send a key, not a document). Because
 * notifications sent while the connection was down are lost, every (re)connection is announced
 * to `onConnect` subscribers, who must then assume anything may have changed.
 *
 * Used by the store's change watch (store/change-watch.ts: cache invalidation across nodes);
 * meant to carry live updates too.
 *
 *   const listener = pgListener(url);
 *   const off = listener.on('escalon_changes', (payload) => …);
 *   listener.onConnect(() => dropEverything());
 *   await notify(db, 'escalon_changes', 'users');   // delivered at the sender's commit
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import pg from 'pg';

export interface PgListener {
  /** True while the connection is up and listening on every subscribed channel. */
  readonly connected: boolean;
  /** Subscribes to a channel (LISTENs on it when the first subscriber comes). Returns the unsubscribe. */
  on(channel: string, fn: (payload: string) => void): () => void;
  /** Called after every successful (re)connection, once the channels are listened to. */
  onConnect(fn: () => void): () => void;
  /** Resolves once connected (or rejects after `timeoutMs`). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ListenerOptions {
  /** First reconnection delay; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Told about lost connections (a log line); never throws. */
  onError?: (err: Error) => void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function pgListener(url: string, options: ListenerOptions = {}): PgListener {
  const retryMs = options.retryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 5_000;
  const channels = new Map<string, Set<(payload: string) => void>>();
  const connectHooks = new Set<() => void>();
  let waiters: Array<() => void> = [];
  let client: pg.Client | null = null;
  let connected = false;
  let closed = false;
  let delay = retryMs;
  let timer: NodeJS.Timeout | null = null;

  const lost = (err: Error | undefined, c: pg.Client) => {
    if (client !== c) return;
    client = null;
    connected = false;
    c.removeAllListeners();
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
    if (err) options.onError?.(err);
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, maxRetryMs);
  };

  const connect = async () => {
    if (closed || client) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('error', (err) => lost(err, c));
    c.on('end', () => lost(undefined, c));
    c.on('notification', (msg) => {
      for (const fn of channels.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    try {
      await c.connect();
      // Listening alone must not keep a process alive (a command that forgot to close its store).
      (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      for (const channel of channels.keys()) await c.query(`listen ${channel}`);
    } catch (err) {
      lost(err as Error, c);
      return;
    }
    if (client !== c || closed) return;
    connected = true;
    delay = retryMs;
    for (const fn of connectHooks) fn();
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };

  void connect();

  return {
    get connected() {
      return connected;
    },
    on(channel, fn) {
      if (!CHANNEL.test(channel)) throw new Error(`invalid channel name '${channel}'`);
      let subs = channels.get(channel);
      if (!subs) {
        channels.set(channel, (subs = new Set()));
        // Listening already: add this channel; a failure here is a lost connection.
        if (client && connected) {
          const c = client;
          c.query(`listen ${channel}`).catch((err: Error) => lost(err, c));
        }
      }
      subs.add(fn);
      return () => void subs.delete(fn);
    },
    onConnect(fn) {
      connectHooks.add(fn);
      return () => void connectHooks.delete(fn);
    },
    ready(timeoutMs = 5_000) {
      if (connected) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the PostgreSQL listener did not connect')), timeoutMs);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    async close() {
      closed = true;
      connected = false;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}

/** Sends a notification; inside a transaction it is delivered when (and only if) that transaction commits. */
export async function notify(db: QueryExecutorProvider, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(db);
}
