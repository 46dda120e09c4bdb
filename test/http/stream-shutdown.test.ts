// Issue 16: app.close() (`escalon serve` on SIGTERM) ends the open event streams. An open stream
// is a request that never finishes, and the close waits for requests in flight: it waited forever.
import { expect, it } from 'vitest';
import { makeTestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

describeStores('event stream on shutdown', (ctx) => {
  it('app.close() ends every open stream and completes', async () => {
    const t = await makeTestApp(ctx.store);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const streams = await Promise.all(
      (['agent', 'customerA'] as const).map(async (who) => {
        const res = await fetch(`${base}/api/v1/stream`, { headers: { ...t.auth(who), accept: 'text/event-stream' } });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        await reader.read(); // `retry` and the `connected` comment: the stream is open
        const ended = (async () => {
          for (;;) if ((await reader.read()).done) return 'ended';
        })().catch(() => 'ended');
        return { ended };
      }),
    );
    const outcome = await Promise.race([t.app.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting after 10 s'), 10_000))]);
    expect(outcome).toBe('closed');
    expect(await Promise.all(streams.map((x) => x.ended))).toEqual(['ended', 'ended']);
  });
});
