/**
 * Notifications and intake (issue 5): the dispatcher's lease and message id on outbox rows, a
 * record per delivery attempt, admin template overrides, webhook endpoints, inbound raw
 * messages and satisfaction survey answers. Forward only.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  await db.schema.alterTable('outbox').addColumn('lease_until', 'bigint').execute();
  await db.schema.alterTable('outbox').addColumn('message_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('sent_at', 'bigint').execute();
  await db.schema.alterTable('outbox').addColumn('merged_into', 'text').execute();
  await db.schema.createIndex('outbox_ticket_order').on('outbox').columns(['ticket_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('outbox_recipient').on('outbox').columns(['recipient', 'ticket_id', 'sent_at']).execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('outbox_id', 'text', (c) => c.notNull().references('outbox.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notification_deliveries_outbox').on('notification_deliveries').columns(['outbox_id', 'attempt']).execute();

  await db.schema
    .createTable('notification_templates')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('allow_private', 'integer', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.references('tickets.id'))
    .addColumn('comment_id', 'text')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('raw', blob, (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbound_messages_channel_external', ['channel', 'external_id'])
    .execute();
  await db.schema.createIndex('inbound_messages_ticket').on('inbound_messages').columns(['ticket_id']).execute();

  await db.schema
    .createTable('csat_responses')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
}
