import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { startSmtpListener, type SmtpListener } from '../../src/intake/smtp-listener.ts';
import { replyAddress } from '../../src/notify/signed-links.ts';
import { listComments } from '../../src/store/comments-repo.ts';
import { findTicket } from '../../src/store/tickets-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

const SECRET = 'intake-secret-0123456789abcdef0123456789';
const DOMAIN = 'support.example.com';

describeStores('SMTP intake over real SMTP', (s) => {
  let listener: SmtpListener;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let client: Transporter;

  beforeAll(async () => {
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, domain: DOMAIN, maxBytes: 64 * 1024, secret: SECRET, defaultOrganizationId: cast.orgB });
    client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    client.close();
    await listener.close();
  });

  const ticketsBy = (sender: string) => s.store.db.selectFrom('inbound_messages').selectAll().where('sender', '=', sender).execute();

  it('a new mail from a customer opens a ticket on the email channel, with the raw message kept', async () => {
    const from = cast.actors.customerA.email;
    const info = await client.sendMail({ from: `Casey <${from}>`, to: `help@${DOMAIN}`, subject: 'Printer on fire', text: 'It is really on fire.', messageId: '<fire-1@customer.example>' });
    expect(info.accepted).toEqual([`help@${DOMAIN}`]);
    const rows = await ticketsBy(from);
    expect(rows).toHaveLength(1);
    const t = await findTicket(s.store.db, rows[0]!.ticket_id!);
    expect(t).toMatchObject({ subject: 'Printer on fire', body: 'It is really on fire.', channel: 'email', requesterId: cast.actors.customerA.userId });
    expect(Buffer.from(rows[0]!.raw).toString('utf8')).toContain('Message-ID: <fire-1@customer.example>');
    // The same message delivered again (an SMTP retry) opens nothing new.
    await client.sendMail({ from, to: `help@${DOMAIN}`, subject: 'Printer on fire', text: 'It is really on fire.', messageId: '<fire-1@customer.example>' });
    expect(await ticketsBy(from)).toHaveLength(1);
  });

  it('a reply to the signed reply address threads into the ticket, without the quoted original', async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'VPN down', body: 'No VPN' })).ticket;
    await client.sendMail({
      from: cast.actors.customerA.email,
      to: replyAddress(SECRET, t.key, DOMAIN),
      subject: 'Re: Your request',
      text: 'Still broken this morning.\n\nOn Mon, 2 Mar 2026, Escalon wrote:\n> we are on it',
    });
    const comments = await listComments(s.store.db, t.id, { includeInternal: true });
    expect(comments.map((c) => [c.body, c.public, c.authorId])).toEqual([['Still broken this morning.', true, cast.actors.customerA.userId]]);
  });

  it('staff replying to the signed address add a public agent reply', async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'Agent reply', body: 'x' })).ticket;
    await client.sendMail({ from: cast.actors.agent.email, to: replyAddress(SECRET, t.key, DOMAIN), subject: 'Re', text: 'Fixed it.' });
    const after = await findTicket(s.store.db, t.id);
    expect(after?.status).toBe('open'); // the first public agent reply opens it
  });

  it('a forged reply address is refused at RCPT with a clear reason; nothing is stored', async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'Target', body: 'x' })).ticket;
    const forged = replyAddress('another-secret-entirely-0123456789abcdef', t.key, DOMAIN);
    const err = await client.sendMail({ from: cast.actors.customerB.email, to: forged, subject: 'Re', text: 'injected' }).catch((e: unknown) => e as { responseCode?: number; response?: string });
    expect(err).toMatchObject({ responseCode: 550 });
    expect(String((err as { response?: string }).response)).toMatch(/signature does not match/);
    expect(await listComments(s.store.db, t.id, { includeInternal: true })).toEqual([]);
  });

  it("a ticket key in the subject from someone who may not see that ticket opens a new ticket instead of injecting", async () => {
    const victim = (await createTicket(deps, cast.actors.customerA, { subject: 'Private', body: 'x' })).ticket;
    await client.sendMail({ from: cast.actors.customerB.email, to: `help@${DOMAIN}`, subject: `Re: [${victim.key}] Private`, text: 'let me in' });
    expect(await listComments(s.store.db, victim.id, { includeInternal: true })).toEqual([]);
    const mine = await ticketsBy(cast.actors.customerB.email);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.ticket_id).not.toBe(victim.id);
    // The requester themself threads by the subject key.
    await client.sendMail({ from: cast.actors.customerA.email, to: `help@${DOMAIN}`, subject: `Re: [${victim.key}] Private`, text: 'more details' });
    expect((await listComments(s.store.db, victim.id, { includeInternal: true })).map((c) => c.body)).toEqual(['more details']);
  });

  it('unknown senders join the intake organization as customers', async () => {
    await client.sendMail({ from: 'New Person <new.person@elsewhere.example>', to: `help@${DOMAIN}`, subject: 'Hello', text: 'First time' });
    const u = await s.store.db.selectFrom('users').selectAll().where('email', '=', 'new.person@elsewhere.example').executeTakeFirst();
    expect(u).toMatchObject({ role: 'customer', organization_id: cast.orgB, name: 'New Person' });
  });

  it('refuses relaying, oversized and malformed mail at SMTP level, storing nothing', async () => {
    const before = await s.store.db.selectFrom('inbound_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const relay = await client.sendMail({ from: cast.actors.customerA.email, to: 'victim@elsewhere.example', subject: 'x', text: 'x' }).catch((e: unknown) => e as { responseCode?: number; response?: string });
    expect(relay).toMatchObject({ responseCode: 550 });
    expect(String((relay as { response?: string }).response)).toMatch(/relaying denied/);
    const big = await client.sendMail({ from: cast.actors.customerA.email, to: `help@${DOMAIN}`, subject: 'big', text: 'x'.repeat(80 * 1024) }).catch((e: unknown) => e as { responseCode?: number; response?: string });
    expect(big).toMatchObject({ responseCode: 552 });
    const malformed = await client
      .sendMail({ envelope: { from: 'a@b.example', to: [`help@${DOMAIN}`] }, raw: 'Subject: no sender\r\n\r\nbody\r\n' })
      .catch((e: unknown) => e as { responseCode?: number; response?: string });
    expect(malformed).toMatchObject({ responseCode: 550 });
    expect(String((malformed as { response?: string }).response)).toMatch(/5\.6\.0 malformed message: no valid From address/);
    const after = await s.store.db.selectFrom('inbound_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
