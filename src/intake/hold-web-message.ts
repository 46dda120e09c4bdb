/**
 * A web-form message that claims the address of an existing account is never trusted: anyone
 * can type an address into a form. It is held (intake_holds) and a confirmation link goes to
 * that address through the outbox (template `intake-confirm-customer`). Only following the
 * link turns it into a ticket in the account holder's name — with their organization, tier
 * and contract value; before that it reaches no rule, no SLA and no one in management.
 *
 * The link carries a random token (256 bits); the store keeps only its SHA-256, so a read of
 * the holds table cannot confirm anything. An unconfirmed hold expires after HOLD_TTL_MS: the
 * link is refused and the held text is erased (the row stays for the per-address cap).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppDeps } from '../app/deps.ts';
import { DomainError } from '../domain/errors.ts';
import { newId } from '../store/new-id.ts';
import { queueStandaloneEmail } from '../notify/standalone-message.ts';
import { expireHolds, findHoldByDigest, insertHold, markHoldConfirmed, type IntakeHold } from './intake-holds-repo.ts';
import { receiveMessage, type IntakeOptions } from './receive-message.ts';

export const HOLD_TTL_MS = 24 * 3_600_000;
export const CONFIRM_TEMPLATE = 'intake-confirm-customer';

export interface WebMessage {
  email: string;
  name: string;
  subject: string;
  body: string;
  clientIp: string | null;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export function confirmationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/intake/confirm/${token}`;
}

/** Holds the message and queues the confirmation mail to the claimed address, in one transaction. */
export async function holdWebMessage(deps: AppDeps, m: WebMessage, publicUrl: string): Promise<{ holdId: string; expiresAt: number }> {
  const at = deps.clock.now();
  const token = randomBytes(32).toString('base64url');
  const hold: IntakeHold = {
    id: newId(at),
    email: m.email,
    name: m.name,
    subject: m.subject,
    body: m.body,
    client_ip: m.clientIp,
    token_digest: digest(token),
    status: 'pending',
    ticket_id: null,
    created_at: at,
    expires_at: at + HOLD_TTL_MS,
    confirmed_at: null,
  };
  await deps.store.db.transaction().execute(async (trx) => {
    await insertHold(trx, hold);
    await queueStandaloneEmail(trx, at, m.email, CONFIRM_TEMPLATE, { customer: { name: m.name, email: m.email }, subject: m.subject, confirmation_url: confirmationUrl(publicUrl, token), expires_at: new Date(hold.expires_at).toISOString() });
  });
  return { holdId: hold.id, expiresAt: hold.expires_at };
}

export type HoldView = { state: 'pending'; subject: string; expiresAt: number } | { state: 'confirmed'; ticketKey: string | null };

async function liveHold(deps: AppDeps, token: string): Promise<IntakeHold> {
  await expireHolds(deps.store.db, deps.clock.now());
  const hold = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await findHoldByDigest(deps.store.db, digest(token)) : undefined;
  if (!hold) throw new DomainError('INTAKE_HOLD_INVALID', 'this confirmation link is not valid (copy the whole link from the mail, or send the form again)', {});
  if (hold.status === 'expired') {
    throw new DomainError('INTAKE_HOLD_EXPIRED', `this confirmation link expired at ${new Date(hold.expires_at).toISOString()}; the message was discarded — please send the form again`, {
      expired_at: new Date(hold.expires_at).toISOString(),
    });
  }
  return hold;
}

async function ticketKeyOf(deps: AppDeps, ticketId: string | null): Promise<string | null> {
  if (!ticketId) return null;
  const t = await deps.store.db.selectFrom('tickets').select('key').where('id', '=', ticketId).executeTakeFirst();
  return t?.key ?? null;
}

/** What the confirmation page shows before the button is pressed. */
export async function readHold(deps: AppDeps, token: string): Promise<HoldView> {
  const hold = await liveHold(deps, token);
  if (hold.status === 'confirmed') return { state: 'confirmed', ticketKey: await ticketKeyOf(deps, hold.ticket_id) };
  return { state: 'pending', subject: hold.subject, expiresAt: hold.expires_at };
}

/**
 * Confirms a hold: the message enters intake as the account holder's (a new ticket, or a reply
 * when it names one of their tickets). Confirming twice is harmless: the second answer names
 * the same ticket (the intake row's external id `hold:<id>` makes the message count once).
 */
export async function confirmHeldMessage(deps: AppDeps, token: string, o: IntakeOptions): Promise<{ ticketKey: string; alreadyConfirmed: boolean }> {
  const hold = await liveHold(deps, token);
  if (hold.status === 'confirmed') return { ticketKey: (await ticketKeyOf(deps, hold.ticket_id)) ?? '', alreadyConfirmed: true };
  const r = await receiveMessage(
    deps,
    {
      channel: 'web',
      externalId: `hold:${hold.id}`,
      senderEmail: hold.email,
      senderName: hold.name,
      subject: hold.subject,
      body: hold.body,
      raw: Buffer.from(JSON.stringify({ name: hold.name, email: hold.email, subject: hold.subject, body: hold.body, ip: hold.client_ip, confirmed_hold: hold.id })),
      // "Re: ESC-12 …": used only when the confirmed sender may see that ticket (receiveMessage checks).
      claimedTicketKeys: [...hold.subject.toUpperCase().matchAll(/\b[A-Z][A-Z0-9]*-\d{1,15}\b/g)].map((k) => k[0]).slice(0, 3),
    },
    o,
  );
  if (r.kind === 'duplicate') {
    const row = await deps.store.db.selectFrom('inbound_messages').select('ticket_id').where('channel', '=', 'web').where('external_id', '=', `hold:${hold.id}`).executeTakeFirst();
    return { ticketKey: (await ticketKeyOf(deps, row?.ticket_id ?? null)) ?? '', alreadyConfirmed: true };
  }
  await markHoldConfirmed(deps.store.db, hold.id, r.ticketId, deps.clock.now());
  return { ticketKey: r.ticketKey, alreadyConfirmed: false };
}
