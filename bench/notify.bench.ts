/**
 * Notification delivery throughput: outbox rows delivered per second by the dispatcher to a
 * local SMTP sink and to a local webhook receiver (SQLite, one dispatcher), each beside a
 * baseline measured in the same run (the same number of messages sent straight through the
 * same client, no outbox); then the time to drain 10,000 rows queued while the receiver was
 * down, once it is back. Run: npx tsx bench/notify.bench.ts
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createTicket } from '../src/app/create-ticket.ts';
import { createOrganization } from '../src/app/manage-organization.ts';
import { createUser } from '../src/app/create-user.ts';
import { ManualClock } from '../src/domain/clock.ts';
import { createEmailChannel } from '../src/notify/channels/email.ts';
import { createWebhookChannel } from '../src/notify/channels/webhook.ts';
import { postGuarded } from '../src/notify/channels/http-post.ts';
import { createDispatcher } from '../src/notify/dispatcher.ts';
import { ensureEndpoint } from '../src/notify/webhook-endpoints-repo.ts';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';
import { destinationKey } from '../src/domain/outbox-destination.ts';

const N = Number(process.env.N ?? 2000);
const BACKLOG = 10_000;
const TICKETS = 1000;

const dir = mkdtempSync(join(tmpdir(), 'escalon-bench-'));
const store = openStore(`sqlite:${join(dir, 'bench.db')}`);
await migrateToLatest(store);
const clock = new ManualClock(Date.UTC(2026, 2, 2, 12));
const deps = { store, clock, attachmentLimit: 1 << 20 };
const org = await createOrganization(deps, { name: 'Bench', tier: 'enterprise' });
const user = await createUser(deps, { email: 'bench@example.com', name: 'Bench', role: 'customer', organizationId: org.id });
const actor = { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: org.id };
const tickets: string[] = [];
for (let i = 0; i < TICKETS; i++) tickets.push((await createTicket(deps, actor, { subject: `Bench ${i}`, body: 'body' })).ticket.id);

let smtpCount = 0;
const sink = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData(s, _x, cb) { s.on('data', () => undefined); s.on('end', () => { smtpCount++; cb(); }); } });
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const smtpPort = (sink.server.address() as AddressInfo).port;

let up = true;
let hookCount = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (!up) return res.writeHead(503).end();
    hookCount++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
await ensureEndpoint(store.db, hookUrl, clock.now(), { allowPrivate: true });

async function queue(count: number, channel: 'email' | 'webhook'): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => {
    const id = newId(clock.now());
    const recipient = channel === 'email' ? `agent${i}@example.com` : hookUrl;
    return {
      id, ticket_id: tickets[i % TICKETS] as string, channel, recipient, destination: destinationKey(channel, recipient), template: 'idle-reminder',
      payload: JSON.stringify({ audience: 'internal', rule: 'bench', recipient_role: 'assignee' }), status: 'pending', attempts: 0,
      next_attempt_at: clock.now(), created_at: clock.now(), last_error: null, lease_until: null, message_id: null, sent_at: null, merged_into: null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await store.db.insertInto('outbox').values(rows.slice(i, i + 500)).execute();
}

const email = createEmailChannel({ host: '127.0.0.1', port: smtpPort, secure: false, from: 'escalon@example.com', timeoutMs: 10_000 });
const webhook = createWebhookChannel(store.db, { timeoutMs: 5000, allowPrivate: false, disableAfter: 1_000_000 });
const d = createDispatcher({ store, clock, channels: { email, webhook }, links: { publicUrl: 'http://localhost' }, options: { batchSize: 200, concurrency: 8, backoffBaseMs: 1000, backoffCapMs: 1000 } });
const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(0)}/s`;

// 1. email: baseline = the same pooled nodemailer client sending directly.
const direct = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, pool: true, maxConnections: 4 });
let t0 = performance.now();
await Promise.all(Array.from({ length: N }, (_, i) => direct.sendMail({ from: 'escalon@example.com', to: `agent${i}@example.com`, subject: 's', text: 't' })));
const emailBase = performance.now() - t0;
direct.close();
await queue(N, 'email');
t0 = performance.now();
await d.drain();
const emailOurs = performance.now() - t0;
console.log(`email   ${N} msgs  outbox dispatcher ${rate(N, emailOurs)} (${emailOurs.toFixed(0)} ms)  | baseline direct nodemailer ${rate(N, emailBase)} (${emailBase.toFixed(0)} ms)  sink got ${smtpCount}`);

// 2. webhook: baseline = the same guarded POST, 8 at a time, no outbox.
t0 = performance.now();
for (let i = 0; i < N; i += 8) await Promise.all(Array.from({ length: Math.min(8, N - i) }, () => postGuarded(hookUrl, { body: '{"x":1}', headers: {}, timeoutMs: 5000, allowPrivate: true })));
const hookBase = performance.now() - t0;
hookCount = 0;
await queue(N, 'webhook');
t0 = performance.now();
await d.drain();
const hookOurs = performance.now() - t0;
console.log(`webhook ${N} msgs  outbox dispatcher ${rate(N, hookOurs)} (${hookOurs.toFixed(0)} ms)  | baseline direct POST x8 ${rate(N, hookBase)} (${hookBase.toFixed(0)} ms)  receiver got ${hookCount}`);

// 3. backlog: 10,000 rows queued while the receiver answers 503; then it comes back.
up = false;
hookCount = 0;
await queue(BACKLOG, 'webhook');
await d.runDue(); // the first attempts fail; every ticket's first row now waits to retry
up = true;
clock.advance(60_000);
t0 = performance.now();
await d.drain();
const drain = performance.now() - t0;
const left = await store.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '!=', 'sent').executeTakeFirstOrThrow();
console.log(`backlog ${BACKLOG} webhooks drained in ${(drain / 1000).toFixed(2)} s (${rate(BACKLOG, drain)}) after the receiver came back; receiver got ${hookCount}; rows not sent: ${left.n}`);

await email.close?.();
sink.close(() => undefined);
receiver.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
