/**
 * GET /api/v1/stream — server-sent events for the console: `event: tickets` with the keys of
 * tickets that changed (a customer hears only of their organization's tickets). Changes are
 * gathered for 150 ms so a burst is one message, and so the change has committed before the
 * client reads it. A comment line every 25 s keeps proxies from closing the stream.
 * A request that does not accept `text/event-stream` gets a 400 error, not a hanging response.
 */
import type { FastifyPluginAsync } from 'fastify';
import { changeFeed } from '../../app/change-feed.ts';
import { isStaff } from '../../auth/roles.ts';
import { actorOf } from '../access.ts';
import { errorBody } from '../errors.ts';

const GATHER_MS = 150;
const HEARTBEAT_MS = 25_000;

export const streamRoutes: FastifyPluginAsync = async (app) => {
  app.get('/stream', { config: { access: 'authenticated' }, schema: { tags: ['live'], hide: false } }, async (req, reply) => {
    const actor = actorOf(req);
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return reply.code(400).send(errorBody('VALIDATION_FAILED', 'this endpoint streams server-sent events: send Accept: text/event-stream', {}));
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 5000\n: connected\n\n');
    let pending = new Set<string>();
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      if (pending.size === 0) return;
      res.write(`event: tickets\ndata: ${JSON.stringify({ keys: [...pending] })}\n\n`);
      pending = new Set();
    };
    const unsubscribe = changeFeed.subscribe((change) => {
      if (!isStaff(actor.role) && change.organizationId !== actor.organizationId) return;
      pending.add(change.key);
      timer ??= setTimeout(flush, GATHER_MS);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.raw.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
    });
  });
};
