// A signed-in customer rates a solved ticket of their organization from the portal.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

describeStores('portal rating', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('records csat.received once, only when solved, only for the own organization', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'Printer', body: 'Blank pages.' });
    const rate = (who: 'customerA' | 'customerB' | 'agent', rating = 5) =>
      t.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.key}/csat`, headers: t.auth(who), payload: { rating, comment: 'ok' } });
    expect((await rate('customerA')).json<{ error: { code: string } }>().error.code).toBe('SURVEY_NOT_OPEN');
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'solved' });
    expect((await rate('customerB')).statusCode).toBe(404);
    expect((await rate('agent')).statusCode).toBe(403);
    const ok = await rate('customerA', 4);
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await rate('customerA')).json<{ error: { code: string } }>().error.code).toBe('SURVEY_ALREADY_ANSWERED');
    const events = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/events`, headers: t.auth('customerA') });
    const csat = events.json<{ items: Array<{ type: string; payload: { rating: number } }> }>().items.filter((e) => e.type === 'csat.received');
    expect(csat.map((e) => e.payload.rating)).toEqual([4]);
  });
});
