/**
 * GET /api/v1/stream — server-sent events for the console: `event: tickets` with the keys of
 * tickets that changed (a customer hears only of their organization's tickets). Changes are
 * gathered for 150 ms so a burst is one message, and so the change has committed before the
 * client reads it. A comment line every 25 s keeps proxies from closing the stream.
 * A request that does not accept `text/event-stream` gets a 400 error, not a hanging response.
 *
 * Changes made on other nodes arrive through the store's feed (PostgreSQL LISTEN/NOTIFY,
 * app/change-feed.ts). `event: refresh` tells the client to reload everything it shows: the
 * feed's listener reconnected (other nodes' notifications may have been lost meanwhile), more
 * than MAX_KEYS tickets changed within one gathering, or the client reads too slowly (more than
 * MAX_BUFFERED bytes waiting: nothing more is queued for it until the socket drains, then one
 * refresh) — so what a stream holds in memory is bounded whatever the rate of changes.
 *
 * A stream lives no longer than the credential that opened it: it ends (after an
 * `event: revoked`) at once when that session logs out, or the user's password changes or is
 * reset, or the user is deactivated, or the token is revoked in this process (revocations.ts);
 * and every `streamRecheckMs` (default 30 s) the credential is checked again against the
 * database, which catches revocations made on other nodes and expired sessions.
 *
 * On shutdown (app.close(), `escalon serve` on SIGTERM) every open stream is ended: an open
 * stream is a request that never finishes, and the server's close waits for requests in
 * flight — it used to wait forever. The console's EventSource reconnects (to another node
 * behind the proxy) after the `retry` it was given.
 */
import type { FastifyPluginAsync } from 'fastify';
import { authenticateSession, authenticateToken } from '../../app/authenticate.ts';
import { feedOf } from '../../app/change-feed.ts';
import { revocationFeed, revokes } from '../../app/revocations.ts';
import { isStaff, type Actor } from '../../auth/roles.ts';
import { digest } from '../../auth/secrets.ts';
import { SESSION_COOKIE, actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { errorBody } from '../errors.ts';

const GATHER_MS = 150;
/** Keys in one message at most; more become one `refresh`. */
export const MAX_KEYS = 500;
/** Bytes a slow client may have waiting before the stream stops queueing for it. */
const MAX_BUFFERED = 64 * 1024;
const HEARTBEAT_MS = 25_000;
export const DEFAULT_STREAM_RECHECK_MS = 30_000;

export const streamRoutes: FastifyPluginAsync<{ deps: HttpDeps }> = async (app, { deps }) => {
  const recheckMs = deps.http.streamRecheckMs ?? DEFAULT_STREAM_RECHECK_MS;
  /** The open streams' enders: app.close() ends them all (preClose runs before the server waits for requests in flight). */
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get('/stream', { config: { access: 'authenticated' }, schema: { tags: ['live'], hide: false } }, async (req, reply) => {
    const actor = actorOf(req);
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return reply.code(400).send(errorBody('VALIDATION_FAILED', 'this endpoint streams server-sent events: send Accept: text/event-stream', {}));
    }
    // The credential the access hook accepted: a bearer token wins over the cookie (access.ts).
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const secret = bearer ?? req.cookies[SESSION_COOKIE] ?? '';
    const credential = digest(secret);
    const recheck = (): Promise<Actor | null> => (bearer !== undefined ? authenticateToken(deps, secret) : authenticateSession(deps, secret));

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 5000\n: connected\n\n');
    const feed = feedOf(deps.store);
    let pending = new Set<string>();
    let refresh = false;
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    /** The client is not reading: stop queueing until it drains. */
    let stalled = false;
    const send = (text: string): void => {
      if (stalled || ended) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED) {
        stalled = true;
        res.once('drain', () => {
          stalled = false;
          refresh = true;
          schedule();
        });
      }
    };
    const flush = () => {
      timer = null;
      if (ended || stalled) return;
      if (refresh) send(`event: refresh\ndata: {}\n\n`);
      else if (pending.size > 0) send(`event: tickets\ndata: ${JSON.stringify({ keys: [...pending] })}\n\n`);
      refresh = false;
      pending = new Set();
    };
    const schedule = () => {
      timer ??= setTimeout(flush, GATHER_MS);
    };
    const unsubscribe = feed.subscribe((change) => {
      if (!isStaff(actor.role) && change.organizationId !== actor.organizationId) return;
      if (stalled || refresh) refresh = true;
      else if (pending.size >= MAX_KEYS && !pending.has(change.key)) refresh = true;
      else pending.add(change.key);
      if (refresh) pending = new Set();
      schedule();
    });
    const unrefresh = feed.onRefresh(() => {
      refresh = true;
      pending = new Set();
      schedule();
    });
    const cleanup = () => {
      ended = true;
      open.delete(shutdown);
      unsubscribe();
      unrefresh();
      unwatch();
      clearInterval(heartbeat);
      clearInterval(checker);
      if (timer) clearTimeout(timer);
    };
    /** Access is gone: say so (the console signs out instead of reconnecting) and end the response. */
    const revoke = (reason: string) => {
      if (ended) return;
      cleanup();
      res.write(`event: revoked\ndata: ${JSON.stringify({ reason })}\n\n`);
      res.end();
    };
    /** The server is closing: end the response (the client reconnects elsewhere). */
    const shutdown = () => {
      if (ended) return;
      cleanup();
      res.end(': server shutting down\n\n');
    };
    open.add(shutdown);
    const unwatch = revocationFeed.subscribe((r) => {
      if (revokes(r, actor.userId, credential)) revoke('credential revoked');
    });
    const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
    let checking = false;
    const checker = setInterval(() => {
      if (checking || ended) return;
      checking = true;
      recheck()
        .then((now) => {
          if (!now || now.userId !== actor.userId || now.role !== actor.role || now.organizationId !== actor.organizationId) revoke('access re-checked: no longer valid');
        })
        .catch((err: unknown) => req.log.warn({ err }, 'stream access re-check failed; trying again at the next interval'))
        .finally(() => {
          checking = false;
        });
    }, recheckMs);
    req.raw.on('close', cleanup);
  });
};
