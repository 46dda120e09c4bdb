// Ticket lists with several statuses are read one index range per status and merged: the
// pages must be exactly those of one ordered query.
import { beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import { listTickets, type Cursor } from '../../src/store/tickets-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';

describeStores('ticket list across statuses', (ctx) => {
  const expected: Array<{ key: string; status: string; createdAt: number }> = [];
  let orgA = '';
  beforeAll(async () => {
    const deps = depsFor(ctx.store);
    const cast = await makeCast(deps);
    orgA = cast.orgA;
    const statuses = ['open', 'pending', 'on_hold', 'open', 'pending', 'solved', 'open', 'on_hold', 'pending', 'open', 'solved'] as const;
    for (const [i, status] of statuses.entries()) {
      // Two tickets share each instant, so the id breaks ties.
      if (i % 2 === 0) deps.clock.advance(60_000);
      const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: `t${i}`, body: 'b' });
      await updateTicket(deps, cast.actors.agent, ticket.key, { status });
      expected.push({ key: ticket.key, status, createdAt: ticket.createdAt });
    }
  });

  it('pages through open, pending and on_hold newest first, without gaps or repeats', async () => {
    const wanted = new Set(['open', 'pending', 'on_hold']);
    const want = expected.filter((t) => wanted.has(t.status)).reverse().map((t) => t.key);
    const got: string[] = [];
    let after: Cursor | null = null;
    for (let page = 0; page < 10; page++) {
      const rows = await listTickets(ctx.store.db, { status: ['open', 'pending', 'on_hold'], organizationId: orgA }, after, 3);
      got.push(...rows.map((r) => r.key));
      const last = rows.at(-1);
      if (rows.length < 3 || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(got).toEqual(want);
  });
});
