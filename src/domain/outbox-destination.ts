/**
 * The destination of an outbox row: the channel and the address or endpoint one message goes
 * to, as one key — `email:lina@example.com`, `webhook:https://hooks.example.com/escalon`,
 * `sms:+15551234567` (or `sms:<person's email>`, resolved to their phone at delivery),
 * `reply:twilio:+1555…`. Computed when the row is written (outbox.destination, migration 0015).
 *
 * Messages about one ticket are delivered in order per destination, not across destinations:
 * a failing webhook endpoint delays only the later messages to that endpoint, never the
 * requester's email (outbox-queue.ts claimDue). A webhook endpoint is identified by its URL
 * (webhook_endpoints keeps one row per URL, created at the first delivery).
 *
 * The key may only ever join two destinations, never split one: it is trimmed and lower-cased
 * (two spellings of an address are one destination; two webhook URLs differing only in the
 * case of their path would share a key — stricter order, never looser), and a very long key is
 * cut to MAX_DESTINATION_LENGTH characters (an index entry must stay small; two destinations
 * sharing the first 400 characters are ordered together).
 */
export const MAX_DESTINATION_LENGTH = 400;

export function destinationKey(channel: string, recipient: string): string {
  return `${channel}:${recipient.trim()}`.toLowerCase().slice(0, MAX_DESTINATION_LENGTH);
}
