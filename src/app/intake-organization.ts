/**
 * The organization new web-form and mail senders join. ESCALON_INTAKE_DEFAULT_ORG names it (an
 * organization id, or its exact name); unset, it is the built-in "Web requests" organization
 * (standard tier, no contract value), created on first use under a fixed id so that several
 * nodes starting at once make it only once; `none` turns new senders away.
 */
import { DomainError } from '../domain/errors.ts';
import { findOrganization, insertOrganization, listOrganizations } from '../store/organizations-repo.ts';
import type { AppDeps } from './deps.ts';

export const WEB_REQUESTS_ORG_ID = '00000000-0000-7000-8000-000000000001';
export const WEB_REQUESTS_ORG_NAME = 'Web requests';

const isUniqueViolation = (err: unknown) => /unique|duplicate key/i.test((err as Error).message ?? '');

/** The id of the intake organization, or undefined when new senders are turned away. */
export async function ensureIntakeOrganization(deps: AppDeps, setting: string | undefined): Promise<string | undefined> {
  const db = deps.store.db;
  if (setting?.trim().toLowerCase() === 'none') return undefined;
  if (setting) {
    const byId = await findOrganization(db, setting);
    if (byId) return byId.id;
    const byName = (await listOrganizations(db)).filter((o) => o.name === setting);
    if (byName.length === 1 && byName[0]) return byName[0].id;
    throw new DomainError(
      'ORGANIZATION_NOT_FOUND',
      `ESCALON_INTAKE_DEFAULT_ORG='${setting}' is neither an organization id nor the name of exactly one organization (unset it to use "${WEB_REQUESTS_ORG_NAME}", or set it to none)`,
      { organization_id: setting },
    );
  }
  if (await findOrganization(db, WEB_REQUESTS_ORG_ID)) return WEB_REQUESTS_ORG_ID;
  try {
    await db.transaction().execute((trx) =>
      insertOrganization(trx, { id: WEB_REQUESTS_ORG_ID, name: WEB_REQUESTS_ORG_NAME, tier: 'standard', contractValue: null, accountManager: null, createdAt: deps.clock.now() }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return WEB_REQUESTS_ORG_ID;
}
