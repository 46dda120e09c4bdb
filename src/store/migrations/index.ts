/**
 * Every migration, bundled as a static map (no directory scanning at run time). Keys sort in
 * the order they apply; add new ones at the end with the next number. Forward only.
 */
import type { Kysely } from 'kysely';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-live-engine.ts';
import * as m0005 from './0005-notify-intake.ts';
import * as m0006 from './0006-reporting-rollups.ts';
import * as m0007 from './0007-reporting-stint-range.ts';
import * as m0008 from './0008-notify-quiet.ts';
import * as m0009 from './0009-conversation.ts';
import * as m0010 from './0010-attachments.ts';
import * as m0011 from './0011-intake-verification.ts';
import * as m0012 from './0012-team-moves.ts';
import * as m0013 from './0013-policy-history-reviews.ts';
import * as m0014 from './0014-accounts-hardening.ts';
import * as m0015 from './0015-outbox-destination-order.ts';
import * as m0016 from './0016-customer-hardening.ts';
import * as m0018 from './0018-drills.ts';
import * as m0019 from './0019-admin.ts';
import * as m0020 from './0020-risk.ts';
import * as m0021 from './0021-risk-live.ts';
import * as m0023 from './0023-write-path-caches.ts';
import * as m0024 from './0024-reporting-covering.ts';
import * as m0025 from './0025-audit-chain.ts';

export type MigrationUp = (db: Kysely<unknown>, dialect: 'sqlite' | 'postgres') => Promise<void>;

export const MIGRATIONS: Readonly<Record<string, MigrationUp>> = {
  '0001-initial': m0001.up,
  '0002-live-engine': m0002.up,
  '0005-notify-intake': m0005.up,
  '0006-reporting-rollups': m0006.up,
  '0007-reporting-stint-range': m0007.up,
  '0008-notify-quiet': m0008.up,
  '0009-conversation': m0009.up,
  '0010-attachments': m0010.up,
  '0011-intake-verification': m0011.up,
  '0012-team-moves': m0012.up,
  '0013-policy-history-reviews': m0013.up,
  '0014-accounts-hardening': m0014.up,
  '0015-outbox-destination-order': m0015.up,
  '0016-customer-hardening': m0016.up,
  '0018-drills': m0018.up,
  '0019-admin': m0019.up,
  '0020-risk': m0020.up,
  '0021-risk-live': m0021.up,
  '0023-write-path-caches': m0023.up,
  '0024-reporting-covering': m0024.up,
  '0025-audit-chain': m0025.up,
};
