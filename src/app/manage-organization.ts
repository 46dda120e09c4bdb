/**
 * Organization create / update / delete (admins and managers). A delete is refused while tickets
 * or users refer to it. `mailDomains`: new senders from these domains join the organization at
 * intake (intake/receive-message.ts); a domain belongs to one organization (DOMAIN_TAKEN).
 */
import { DomainError } from '../domain/errors.ts';
import { newId } from '../store/new-id.ts';
import {
  deleteOrganization as removeOrganization,
  domainsTakenElsewhere,
  findOrganization,
  setOrganizationDomains,
  insertOrganization,
  organizationReferences,
  updateOrganization as writeOrganization,
  type Organization,
} from '../store/organizations-repo.ts';
import type { AppDeps } from './deps.ts';

export interface OrganizationInput {
  name: string;
  tier: string;
  contractValue?: number | null;
  accountManager?: string | null;
  mailDomains?: string[];
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower-cased, de-duplicated, each a plain domain name (no @, no wildcard). */
function checkDomains(domains: readonly string[] | undefined): string[] | undefined {
  if (domains === undefined) return undefined;
  const out = [...new Set(domains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter((d) => d !== ''))];
  const bad = out.filter((d) => !DOMAIN.test(d));
  if (bad.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `not a mail domain: ${bad.join(', ')} (write e.g. initech.example, without @ or wildcards)`, { field: 'mail_domains', invalid: bad });
  }
  return out;
}

async function storeDomains(trx: Parameters<typeof setOrganizationDomains>[0], id: string | null, orgId: string, domains: string[], at: number): Promise<void> {
  const taken = await domainsTakenElsewhere(trx, id, domains);
  if (taken.length > 0) {
    throw new DomainError('DOMAIN_TAKEN', `mail domain ${taken.map((t) => t.domain).join(', ')} already belongs to another organization; remove it there first`, {
      field: 'mail_domains',
      taken: taken.map((t) => ({ domain: t.domain, organization_id: t.organizationId })),
    });
  }
  await setOrganizationDomains(trx, orgId, domains, at);
}

function notFound(id: string): DomainError {
  return new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${id}'`, { organization_id: id });
}

export async function createOrganization(deps: AppDeps, input: OrganizationInput): Promise<Organization> {
  const at = deps.clock.now();
  const domains = checkDomains(input.mailDomains) ?? [];
  const org: Organization = { id: newId(at), name: input.name, tier: input.tier, contractValue: input.contractValue ?? null, accountManager: input.accountManager ?? null, createdAt: at, mailDomains: domains };
  await deps.store.db.transaction().execute(async (trx) => {
    await insertOrganization(trx, org);
    await storeDomains(trx, null, org.id, domains, at);
  });
  return org;
}

export async function updateOrganization(deps: AppDeps, id: string, patch: Partial<OrganizationInput>): Promise<Organization> {
  const domains = checkDomains(patch.mailDomains);
  return deps.store.db.transaction().execute(async (trx) => {
    const org = await findOrganization(trx, id);
    if (!org) throw notFound(id);
    const next: Organization = {
      ...org,
      name: patch.name ?? org.name,
      tier: patch.tier ?? org.tier,
      contractValue: patch.contractValue === undefined ? org.contractValue : patch.contractValue,
      accountManager: patch.accountManager === undefined ? org.accountManager : patch.accountManager,
      mailDomains: domains ?? org.mailDomains ?? [],
    };
    await writeOrganization(trx, next);
    if (domains !== undefined) await storeDomains(trx, id, id, domains, deps.clock.now());
    return next;
  });
}

export async function deleteOrganization(deps: AppDeps, id: string): Promise<void> {
  await deps.store.db.transaction().execute(async (trx) => {
    if (!(await findOrganization(trx, id))) throw notFound(id);
    const refs = await organizationReferences(trx, id);
    if (refs.tickets > 0 || refs.users > 0) {
      throw new DomainError('ORGANIZATION_IN_USE', `organization '${id}' still has ${refs.tickets} ticket(s) and ${refs.users} user(s)`, { organization_id: id, ...refs });
    }
    await removeOrganization(trx, id);
  });
}
