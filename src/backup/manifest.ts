/**
 * What a backup file holds and how it says so. A backup is a tar archive (optionally gzipped):
 *
 *   database.sqlite | database.pgdump   the database: a SQLite file (online backup API) or a
 *                                       pg_dump custom-format archive, from one snapshot
 *   attachments/<sha[0..2]>/<sha256>    every attachment file the snapshot's rows reference
 *   manifest.json                       last: this manifest, written once every part is hashed
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const BACKUP_FORMAT = 'escalon-backup';
export const BACKUP_VERSION = 1;

export const DATABASE_PART = { sqlite: 'database.sqlite', postgres: 'database.pgdump' } as const;
export const ATTACHMENT_PART = /^attachments\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

export function attachmentPart(sha256: string): string {
  return `attachments/${sha256.slice(0, 2)}/${sha256}`;
}

const part = z.strictObject({ name: z.string().min(1), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.number().int().min(1),
  created_at: z.string(),
  escalon_version: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  /** The migrations applied to the backed-up database (schema_migrations), in order. */
  migrations: z.array(z.string()),
  attachments: z.strictObject({ count: z.number().int().min(0), bytes: z.number().int().min(0) }),
  parts: z.array(part),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Part = z.infer<typeof part>;

export function escalonVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A refusal or failure of backup / restore, worded for the operator (no stack trace). */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}
