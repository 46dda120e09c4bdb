import { beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { changeTicketStatus } from '../../src/app/change-status.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { getTicket, listTicketComments, listTicketEvents, listTickets } from '../../src/app/read-tickets.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return 'OK';
}

describeStores('ticket lifecycle', (ctx) => {
  let deps: ReturnType<typeof depsFor>;
  let cast: Cast;
  beforeAll(async () => {
    deps = depsFor(ctx.store);
    cast = await makeCast(deps);
  });

  it('creates tickets with sequential keys, the matrix priority and a ticket.created event', async () => {
    const a = await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject: 'Printer on fire', body: 'help', impact: 1, urgency: 2 });
    const b = await createTicket(deps, cast.actors.agent, { subject: 'Second', body: 'x', requesterId: cast.actors.customerB.userId });
    expect(a.ticket.key).toMatch(/^ESC-\d+$/);
    expect(Number(b.ticket.key.slice(4))).toBe(Number(a.ticket.key.slice(4)) + 1);
    expect(a.ticket.priority).toBe('high');
    expect(a.ticket.organizationId).toBe(cast.orgA);
    expect(b.ticket.organizationId).toBe(cast.orgB);
    expect(a.events.map((e) => e.type)).toEqual(['ticket.created']);
    const stored = await getTicket(deps, cast.actors.agent, a.ticket.key);
    expect(stored).toEqual(a.ticket);
  });

  it('runs the status machine: auto-open on the first public agent reply, pending → open on a customer reply, reopen counted', async () => {
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'VPN down', body: 'cannot connect' }, { via: 'email' });
    deps.clock.advance(60_000);
    await addComment(deps, cast.actors.agent, ticket.key, { body: 'internal: looking', public: false });
    expect((await getTicket(deps, cast.actors.agent, ticket.key)).status).toBe('new');
    const replied = await addComment(deps, cast.actors.agent, ticket.key, { body: 'On it', public: true });
    expect(replied.ticket.status).toBe('open');
    expect(replied.ticket.ownerId).toBe(cast.actors.agent.userId);
    expect(replied.events.map((e) => e.type)).toEqual(['comment.added', 'status.changed']);
    await changeTicketStatus(deps, cast.actors.agent, ticket.key, 'pending');
    const back = await addComment(deps, cast.actors.customerA, ticket.key, { body: 'still broken', public: true });
    expect(back.ticket.status).toBe('open');
    await changeTicketStatus(deps, cast.actors.agent, ticket.key, 'solved');
    const solved = await getTicket(deps, cast.actors.agent, ticket.key);
    expect(solved.solvedAt).toBe(deps.clock.now());
    const reopened = await changeTicketStatus(deps, cast.actors.agent, ticket.key, 'open');
    expect(reopened.ticket.reopens).toBe(1);
    expect(reopened.ticket.solvedAt).toBeNull();
    expect(await codeOf(changeTicketStatus(deps, cast.actors.agent, ticket.key, 'new'))).toBe('INVALID_TRANSITION');
    await changeTicketStatus(deps, cast.actors.agent, ticket.key, 'closed');
    expect(await codeOf(changeTicketStatus(deps, cast.actors.agent, ticket.key, 'open'))).toBe('INVALID_TRANSITION');
    // Closed is final: staff are refused; a customer's message opens a linked follow-up instead.
    expect(await codeOf(addComment(deps, cast.actors.agent, ticket.key, { body: 'hello?', public: true }))).toBe('INVALID_TRANSITION');
    const follow = await addComment(deps, cast.actors.customerA, ticket.key, { body: 'hello?', public: true });
    expect(follow.followUp?.of).toBe(ticket.key);
    // a customer writing through the portal or the API: the follow-up came in by the web
    expect(follow.followUp?.ticket).toMatchObject({ status: 'new', body: 'hello?', channel: 'web' });
    expect((await getTicket(deps, cast.actors.agent, ticket.key)).status).toBe('closed');
    const final = await getTicket(deps, cast.actors.agent, ticket.key);
    const events = await listTicketEvents(deps, cast.actors.agent, ticket.key);
    expect(events.map((e) => e.type)).toEqual([
      'ticket.created',
      'comment.added',
      'comment.added',
      'status.changed',
      'status.changed',
      'comment.added',
      'status.changed',
      'status.changed',
      'status.changed',
      'status.changed',
      'ticket.followed_up',
    ]);
    expect(final.version).toBe(1 + 8);
  });

  it('counts reassignments (the first assignment does not count) and keeps the first assignee as owner', async () => {
    const { ticket } = await createTicket(deps, cast.actors.agent, { subject: 'Routing', body: 'x', requesterId: cast.actors.customerA.userId });
    await updateTicket(deps, cast.actors.lead, ticket.key, { assigneeId: cast.actors.agent.userId });
    await updateTicket(deps, cast.actors.lead, ticket.key, { assigneeId: cast.actors.agent2.userId });
    const t = await updateTicket(deps, cast.actors.lead, ticket.key, { assigneeId: cast.actors.agent.userId, tags: ['vip', 'vip', 'network'], priority: 'urgent' });
    expect(t.ticket.reassignments).toBe(2);
    expect(t.ticket.ownerId).toBe(cast.actors.agent.userId);
    expect(t.ticket.tags).toEqual(['vip', 'network']);
    expect(t.ticket.priority).toBe('urgent');
    expect(await codeOf(updateTicket(deps, cast.actors.lead, ticket.key, { assigneeId: cast.actors.customerA.userId }))).toBe('INVALID_ASSIGNEE');
    expect(await codeOf(updateTicket(deps, cast.actors.lead, ticket.key, { status: 'open', version: 1 }))).toBe('VERSION_CONFLICT');
  });

  it('rolls back the ticket when its change fails (no event without its ticket)', async () => {
    const { ticket } = await createTicket(deps, cast.actors.agent, { subject: 'Atomic', body: 'x', requesterId: cast.actors.customerA.userId });
    expect(await codeOf(updateTicket(deps, cast.actors.lead, ticket.key, { priority: 'high', assigneeId: 'nobody' }))).toBe('INVALID_ASSIGNEE');
    const after = await getTicket(deps, cast.actors.agent, ticket.key);
    expect(after.priority).toBe(ticket.priority);
    expect((await listTicketEvents(deps, cast.actors.agent, ticket.key)).length).toBe(1);
  });

  it('hides other organizations and internal notes from customers', async () => {
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'Private', body: 'x' });
    await addComment(deps, cast.actors.agent, ticket.key, { body: 'SECRET internal', public: false });
    expect(await codeOf(getTicket(deps, cast.actors.customerB, ticket.key))).toBe('TICKET_NOT_FOUND');
    expect(await codeOf(addComment(deps, cast.actors.customerB, ticket.key, { body: 'x', public: true }))).toBe('TICKET_NOT_FOUND');
    expect(await codeOf(addComment(deps, cast.actors.customerA, ticket.key, { body: 'x', public: false }))).toBe('FORBIDDEN');
    const comments = await listTicketComments(deps, cast.actors.customerA, ticket.key);
    expect(comments.some((c) => c.body.includes('SECRET'))).toBe(false);
    const events = await listTicketEvents(deps, cast.actors.customerA, ticket.key);
    expect(events.every((e) => !e.internal)).toBe(true);
    const staffEvents = await listTicketEvents(deps, cast.actors.agent, ticket.key);
    expect(staffEvents.some((e) => e.internal)).toBe(true);
    const listB = await listTickets(deps, cast.actors.customerB, {}, { limit: 200 });
    expect(listB.items.every((t) => t.organizationId === cast.orgB)).toBe(true);
  });

  it('pages through a filtered list with cursors, newest first, without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) {
      deps.clock.advance(i % 2 === 0 ? 0 : 1000);
      await createTicket(deps, cast.actors.agent, { subject: `Paged 100% ${i}`, body: 'x', requesterId: cast.actors.customerB.userId, tags: ['paged'] });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listTickets(deps, cast.actors.agent, { q: '100%' }, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((t) => t.subject));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Paged 100% ${i}`));
    expect(await codeOf(listTickets(deps, cast.actors.agent, {}, { limit: 3, cursor: 'garbage!' }))).toBe('INVALID_CURSOR');
  });
});
