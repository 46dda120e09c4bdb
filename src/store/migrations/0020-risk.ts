/**
 * Escalation-risk prediction (issue 14).
 *
 * - `risk_models`: the model in force is a versioned setting — each `escalon risk use` (or the
 *   admin API) adds a version; the highest is in force. `model` is the model file (JSON text),
 *   `meta` its RiskModelMeta (JSON text).
 * - On tickets: the latest score (`risk_score`, `risk_band`, `risk_reasons` as JSON, when and by
 *   which model), the first score the current model gave the ticket (`risk_opening`, for the
 *   quality measured on tickets resolved since training), and the risk memo (JSON) folded on
 *   every change whether or not a model is in force.
 * Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('risk_models')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('meta', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'bigint', (c) => c.notNull())
    .addColumn('activated_by', 'text')
    .execute();
  for (const [name, type] of [
    ['risk_score', 'real'],
    ['risk_band', 'text'],
    ['risk_reasons', 'text'],
    ['risk_at', 'bigint'],
    ['risk_model', 'text'],
    ['risk_opening', 'real'],
    ['risk_memo', 'text'],
  ] as const) {
    await db.schema.alterTable('tickets').addColumn(name, type).execute();
  }
  await db.schema.createIndex('tickets_risk_score').on('tickets').columns(['risk_score']).execute();
}
