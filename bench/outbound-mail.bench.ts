/**
 * Outbound mail with merging: TICKETS tickets each get NOTICES internal notices to their team
 * lead, 30 s apart (all inside the 5-minute merge window), delivered by the real dispatcher to
 * a local SMTP sink. Three runs in one process, each with its own tickets and a fresh count at
 * the sink:
 *   1. merging on (the default 5-minute window): every notice write wakes the dispatcher (it
 *      holds the row), then a ManualClock moves past the window and one pass sends one mail per
 *      ticket listing its notices;
 *   2. merging off (mergeWindowMs 0): the same notices, one mail each, sent as they come;
 *   3. baseline: the same pooled nodemailer settings sending one mail per notice directly,
 *      without the outbox.
 * SQLite in a temp dir with the production settings; production dispatcher options apart from
 * the merge window. Run: npx tsx bench/outbound-mail.bench.ts (TICKETS=2000 NOTICES=5 LEADS=20)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createTicket } from '../src/app/create-ticket.ts';
import { createUser } from '../src/app/create-user.ts';
import { createOrganization } from '../src/app/manage-organization.ts';
import { ManualClock } from '../src/domain/clock.ts';
import { createEmailChannel } from '../src/notify/channels/email.ts';
import { createDispatcher } from '../src/notify/dispatcher.ts';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';
import { destinationKey } from '../src/domain/outbox-destination.ts';

const TICKETS = Number(process.env.TICKETS ?? 2000);
const NOTICES = Number(process.env.NOTICES ?? 5);
const LEADS = Number(process.env.LEADS ?? 20);
const STEP_MS = 30_000;
const WINDOW_MS = 5 * 60_000;
const TEMPLATES = ['sla-warning-internal', 'idle-reminder', 'sla-breach-internal', 'technical-complexity-escalation', 'unacknowledged-reminder'];

const dir = mkdtempSync(join(tmpdir(), 'escalon-bench-mail-'));
const store = openStore(`sqlite:${join(dir, 'bench.db')}`);
await migrateToLatest(store);
const clock = new ManualClock(Date.UTC(2026, 2, 2, 12));
const deps = { store, clock, attachmentLimit: 1 << 20 };
const org = await createOrganization(deps, { name: 'Bench', tier: 'enterprise' });
const user = await createUser(deps, { email: 'bench@example.com', name: 'Bench', role: 'customer', organizationId: org.id });
const actor = { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: org.id };
const lead = (i: number) => `lead${i % LEADS}@example.com`;

async function makeTickets(tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TICKETS; i++) ids.push((await createTicket(deps, actor, { subject: `${tag} ${i}`, body: 'The export fails every morning.' })).ticket.id);
  return ids;
}

/** The k-th notice of every ticket, written as the live engine writes it (one row per recipient). */
async function queueNotice(tickets: readonly string[], k: number): Promise<void> {
  const at = clock.now();
  const rows = tickets.map((ticketId, i) => {
    const id = newId(at);
    return {
      id, ticket_id: ticketId, channel: 'email', recipient: lead(i), destination: destinationKey('email', lead(i)), template: TEMPLATES[k % TEMPLATES.length] as string,
      payload: JSON.stringify({ event_id: `ev-${id}`, ticket_id: ticketId, rule: `bench-${k}`, audience: 'internal', recipient_role: 'team_lead' }),
      status: 'pending', attempts: 0, next_attempt_at: at, created_at: at, last_error: null, lease_until: null, message_id: null, sent_at: null, merged_into: null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await store.db.insertInto('outbox').values(rows.slice(i, i + 500)).execute();
}

let received = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(s, _session, cb) {
    s.on('data', () => undefined);
    s.on('end', () => {
      received++;
      cb();
    });
  },
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const port = (sink.server.address() as AddressInfo).port;
const email = createEmailChannel({ host: '127.0.0.1', port, secure: false, from: 'escalon@example.com', timeoutMs: 10_000 });
const dispatcher = (mergeWindowMs: number) => createDispatcher({ store, clock, channels: { email }, links: { publicUrl: 'http://localhost' }, options: { mergeWindowMs } });

const notices = TICKETS * NOTICES;
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en')}/s`;
const statuses = async (tickets: readonly string[]) => {
  const rows = await store.db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('ticket_id', 'in', tickets).groupBy('status').execute();
  return rows.map((r) => `${r.status} ${r.n}`).join(', ');
};
const waitForSink = async (count: number) => {
  while (received < count) await new Promise((r) => setTimeout(r, 5));
};
console.log(`${TICKETS} tickets x ${NOTICES} notices (${STEP_MS / 1000} s apart) to ${LEADS} leads = ${notices} notices; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// 1. Merging on: each write wakes the dispatcher (which holds the rows), then the window passes.
{
  const tickets = await makeTickets('merge');
  const d = dispatcher(WINDOW_MS);
  received = 0;
  let holding = 0;
  for (let k = 0; k < NOTICES; k++) {
    if (k > 0) clock.advance(STEP_MS);
    await queueNotice(tickets, k);
    const t0 = performance.now();
    await d.drain();
    holding += performance.now() - t0;
  }
  const heldSent = received;
  clock.advance(WINDOW_MS);
  const t0 = performance.now();
  await d.drain();
  await waitForSink(TICKETS);
  const sending = performance.now() - t0;
  const total = holding + sending;
  console.log(
    `merging on (5 min): ${received} mails for ${notices} notices in ${(total / 1000).toFixed(1)} s (holding passes ${(holding / 1000).toFixed(1)} s, sending pass ${(sending / 1000).toFixed(1)} s)` +
      ` = ${rate(received, total)} mails, ${rate(notices, total)} notices; sent before the window closed: ${heldSent}; outbox: ${await statuses(tickets)}`,
  );
}

// 2. Merging off: one mail per notice, sent as each notice is written.
{
  const tickets = await makeTickets('plain');
  const d = dispatcher(0);
  received = 0;
  let total = 0;
  for (let k = 0; k < NOTICES; k++) {
    if (k > 0) clock.advance(STEP_MS);
    await queueNotice(tickets, k);
    const t0 = performance.now();
    await d.drain();
    total += performance.now() - t0;
  }
  const t0 = performance.now();
  await waitForSink(notices);
  total += performance.now() - t0;
  console.log(`merging off (window 0): ${received} mails for ${notices} notices in ${(total / 1000).toFixed(1)} s = ${rate(received, total)} mails, ${rate(notices, total)} notices; outbox: ${await statuses(tickets)}`);
}

// 3. Baseline: the same pooled nodemailer settings, one mail per notice, no outbox.
{
  const direct = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, pool: true, maxConnections: 4 });
  received = 0;
  const t0 = performance.now();
  for (let i = 0; i < notices; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, notices - i) }, (_, j) => direct.sendMail({ from: 'escalon@example.com', to: lead(i + j), subject: `[T-${i + j}] SLA at risk`, text: 'The ticket is close to its SLA.' })),
    );
  }
  await waitForSink(notices);
  const total = performance.now() - t0;
  direct.close();
  console.log(`baseline direct nodemailer: ${received} mails in ${(total / 1000).toFixed(1)} s = ${rate(received, total)} mails`);
}

console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await email.close?.();
sink.close(() => undefined);
await store.close();
rmSync(dir, { recursive: true, force: true });
