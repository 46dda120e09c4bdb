// The rollups kept by applyToRollups (commit by commit) and rebuilt by rebuildRollups give
// exactly the numbers of the naive computation over the raw events table, on every dialect.
import { beforeAll, expect, it } from 'vitest';
import { computeKpis, type KpiQuery } from '../../src/domain/reporting/kpis.ts';
import { deriveTicketRollup, type Stint, type TicketFacts } from '../../src/domain/reporting/ticket-facts.ts';
import { kpisFromRollups, kpisNaive } from '../../src/reporting/report-queries.ts';
import { applyToRollups, rebuildRollups } from '../../src/reporting/rollups.ts';
import { reportingDb } from '../../src/reporting/schema.ts';
import { describeStores } from '../helpers/db.ts';
import { applyReferencePolicy, exampleStream, grouped, handmadeStream, loadStream, serviceNowStream, TEAM_LEVELS } from './streams.ts';

const DEC1 = Date.parse('2026-11-01T00:00:00Z');
const JAN1 = Date.parse('2027-01-01T00:00:00Z');
const q = (over: Partial<KpiQuery> = {}): KpiQuery => ({ from: DEC1, to: JAN1, timeZone: 'UTC', asOf: Date.parse('2027-02-01T00:00:00Z'), filters: {}, firstLevel: 'L1', ...over });

describeStores('reporting rollups', (ctx) => {
  let ids: string[] = [];
  const groups = [...grouped(handmadeStream()), ...grouped(exampleStream())];

  beforeAll(async () => {
    const db = ctx.store.db;
    // tickets first, events later: commit by commit, as the live server does
    await applyReferencePolicy(db);
    ids = await loadStream(db, groups, { withEvents: false });
    const commits: Array<{ id: string; at: number; events: Array<{ id: string; at: number; type: string; payload: Record<string, unknown> }> }> = [];
    groups.forEach((g, gi) => {
      const id = ids[gi] ?? '';
      g.events.forEach((e, i) => {
        const last = commits[commits.length - 1];
        const ev = { id: `${id}:${String(i).padStart(6, '0')}`, at: e.at, type: e.type, payload: e.payload };
        if (last && last.id === id && last.at === e.at) last.events.push(ev);
        else commits.push({ id, at: e.at, events: [ev] });
      });
    });
    for (const c of commits) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('events')
          .values(c.events.map((e) => ({ id: e.id, ticket_id: c.id, at: e.at, recorded_at: e.at, type: e.type, actor: e.type === 'comment.added' ? 'agent' : 'system', payload: JSON.stringify(e.payload), internal: 0 })))
          .execute();
        await applyToRollups(trx, c.id, c.events); // team levels from the applied policy
      });
    }
  });

  it('keeps one facts row per ticket and agrees with the pure computation', async () => {
    const rows = await reportingDb(ctx.store.db).selectFrom('ticket_facts').select('ticket_id').where('ticket_id', 'in', ids).execute();
    expect(rows).toHaveLength(groups.length);
    const facts: TicketFacts[] = [];
    const stints: Stint[] = [];
    groups.forEach((g, i) => {
      const r = deriveTicketRollup(ids[i] ?? '', g.events, { teamLevels: TEAM_LEVELS });
      if (r) {
        facts.push(r.facts);
        stints.push(...r.stints);
      }
    });
    expect(await kpisFromRollups(ctx.store.db, q())).toEqual(computeKpis(facts, stints, q()));
  });

  it('gives the same numbers from the rollups and from the raw events, with every filter and in another time zone', async () => {
    const queries = [
      q(),
      q({ filters: { tier: 'enterprise' } }),
      q({ filters: { channel: 'email', priority: 'urgent' } }),
      q({ filters: { team: 'specialists' } }),
      q({ filters: { level: 'L3' } }),
      q({ filters: { team: 'no%such_team' } }),
      q({ from: Date.parse('2026-12-01T05:00:00Z'), to: Date.parse('2026-12-02T05:00:00Z'), timeZone: 'America/New_York' }),
    ];
    for (const query of queries) {
      const naive = await kpisNaive(ctx.store.db, { ...query });
      expect(await kpisFromRollups(ctx.store.db, query)).toEqual(naive);
    }
    expect((await kpisFromRollups(ctx.store.db, q({ filters: { team: 'specialists' } }))).ticketsCreated).toBe(4); // H4 H6 H9 + T1
  });

  it('counts a CSAT rating committed later, for escalated and not escalated tickets', async () => {
    const db = ctx.store.db;
    const rate = async (index: number, rating: number, n: number) => {
      const id = ids[index] ?? '';
      await db.transaction().execute(async (trx) => {
        const ev = { id: `${id}:csat${n}`, at: Date.parse('2026-12-05T00:00:00Z'), type: 'csat.received', payload: { rating } };
        await trx.insertInto('events').values({ id: ev.id, ticket_id: id, at: ev.at, recorded_at: ev.at, type: ev.type, actor: 'customer', payload: JSON.stringify(ev.payload), internal: 0 }).execute();
        await applyToRollups(trx, id, [ev]);
      });
    };
    await rate(0, 5, 1); // H1, not escalated
    await rate(4, 2, 1); // H5, not escalated
    await rate(3, 4, 1); // H4, escalated
    const r = await kpisFromRollups(db, q());
    expect(r.csat.notEscalated).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(r.csat.escalated).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect(await kpisNaive(db, q())).toEqual(r);
  });

  it('rebuilds the same rows from the event log', async () => {
    const rdb = reportingDb(ctx.store.db);
    const before = await rdb.selectFrom('ticket_facts').selectAll().where('ticket_id', 'in', ids).orderBy('ticket_id').execute();
    const stintsBefore = await rdb.selectFrom('ticket_stints').selectAll().where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('kind').orderBy('seq').execute();
    await rdb.deleteFrom('ticket_facts').execute();
    await rebuildRollups(ctx.store.db, { batchSize: 7, teamLevels: TEAM_LEVELS });
    expect(await rdb.selectFrom('ticket_facts').selectAll().where('ticket_id', 'in', ids).orderBy('ticket_id').execute()).toEqual(before);
    expect(await rdb.selectFrom('ticket_stints').selectAll().where('ticket_id', 'in', ids).orderBy('ticket_id').orderBy('kind').orderBy('seq').execute()).toEqual(stintsBefore);
  });

  it('agrees with the naive computation on the 14,538 ServiceNow-derived tickets', async () => {
    const db = ctx.store.db;
    await loadStream(db, grouped(await serviceNowStream()));
    await rebuildRollups(db, { teamLevels: TEAM_LEVELS });
    const month = q({ from: Date.parse('2016-03-01T00:00:00Z'), to: Date.parse('2016-03-31T00:00:00Z'), asOf: Date.parse('2017-06-01T00:00:00Z') });
    const fromRollups = await kpisFromRollups(db, month);
    expect(fromRollups.ticketsCreated).toBeGreaterThan(1000);
    expect(fromRollups).toEqual(await kpisNaive(db, month));
    const filtered = { ...month, filters: { channel: 'phone', level: 'L2' } };
    expect(await kpisFromRollups(db, filtered)).toEqual(await kpisNaive(db, filtered));
  }, 240_000);
});
