/**
 * Outbox rows about no ticket — the address confirmation of a held web-form message, an account's
 * set-password link, a webhook endpoint's test ping — queued by `queueTicketlessRow`; the emails
 * among them are rendered by `standaloneMessage`.
 * Their row payload carries the few facts the template needs (`standalone`); everything
 * else in the context is empty, so a template that reaches for ticket facts renders blanks
 * rather than another customer's data.
 */
import type { OutgoingMessage } from './channels/channel.ts';
import type { Kysely } from 'kysely';
import { destinationKey } from '../domain/outbox-destination.ts';
import type { Database } from '../store/schema.ts';
import { newId } from '../store/new-id.ts';
import type { OutboxRow } from './outbox-queue.ts';
import { sampleContext, type RenderContext } from './templates/render-context.ts';
import { redactForCustomer } from './templates/redact.ts';
import { renderTemplate } from './templates/render.ts';
import type { TemplateSource } from './templates/template-source.ts';

export interface StandaloneFacts {
  customer: { name: string; email: string };
  subject: string;
  confirmation_url: string;
  expires_at: string;
}

function contextOf(f: StandaloneFacts, recipient: string): RenderContext {
  const s = sampleContext();
  return redactForCustomer({
    ...s,
    ticket: { key: '', subject: f.subject, body: '', priority: '', status: '', channel: 'web', category: null, tags: [], team: null, level: null, created_at: f.expires_at, url: '' },
    customer: f.customer,
    organization: { name: '', tier: '', contract_value: null, account_manager: null },
    escalation: { reason: null, from_level: null, to_level: null, to_team: null, rule: null, trigger_points: [], recommended_actions: [], comment: null },
    sla: { policy: null, metric: null, due_at: null, due_local: null, expected_resolution: null, expected_resolution_local: null },
    recipient: { address: recipient, role: 'requester' },
    latest_update: null,
    survey_url: null,
    rule: null,
    expectations: { first_response_due: null, resolution_due: null, time_zone: null, text: null },
    confirmation_url: f.confirmation_url,
  });
}

/**
 * Queues an outbox row about no ticket (in the caller's transaction) and returns its id: the
 * dispatcher delivers it to `recipient` on `channel` like any other row.
 */
export async function queueTicketlessRow(db: Kysely<Database>, at: number, row: { channel: 'email' | 'webhook'; recipient: string; template: string; payload: object }): Promise<string> {
  const id = newId(at);
  await db
    .insertInto('outbox')
    .values({
      id,
      ticket_id: null,
      channel: row.channel,
      recipient: row.recipient,
      destination: destinationKey(row.channel, row.recipient),
      template: row.template,
      payload: JSON.stringify(row.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      created_at: at,
      last_error: null,
      lease_until: null,
      message_id: null,
      sent_at: null,
      merged_into: null,
    })
    .execute();
  return id;
}

/** Queues a ticket-less email to `to`: the dispatcher renders `template` with `facts`. */
export async function queueStandaloneEmail(db: Kysely<Database>, at: number, to: string, template: string, facts: StandaloneFacts): Promise<void> {
  await queueTicketlessRow(db, at, { channel: 'email', recipient: to, template, payload: { audience: 'customer', standalone: facts } });
}

/** The message of a ticket-less row, or why there is none. */
export async function standaloneMessage(row: OutboxRow, template: TemplateSource): Promise<{ message: OutgoingMessage } | { error: string }> {
  const facts = (JSON.parse(row.payload) as { standalone?: StandaloneFacts }).standalone;
  if (!facts) return { error: 'an outbox row without a ticket and without standalone facts has nothing to render' };
  if (template.audience !== 'customer') return { error: `template '${row.template}' is internal; rows without a ticket go only to customers` };
  try {
    const rendered = await renderTemplate(row.template, template, contextOf(facts, row.recipient));
    return { message: { messageId: row.message_id ?? row.id, to: row.recipient, ...rendered, data: { template: row.template, audience: 'customer' }, ticketKey: null } };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
