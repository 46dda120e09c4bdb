/** Organization create / update / delete (admins and managers). A delete is refused while tickets or users refer to it. */
import { DomainError } from '../domain/errors.ts';
import { newId } from '../store/new-id.ts';
import {
  deleteOrganization as removeOrganization,
  findOrganization,
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
}

function notFound(id: string): DomainError {
  return new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${id}'`, { organization_id: id });
}

export async function createOrganization(deps: AppDeps, input: OrganizationInput): Promise<Organization> {
  const at = deps.clock.now();
  const org: Organization = { id: newId(at), name: input.name, tier: input.tier, contractValue: input.contractValue ?? null, accountManager: input.accountManager ?? null, createdAt: at };
  await deps.store.db.transaction().execute((trx) => insertOrganization(trx, org));
  return org;
}

export async function updateOrganization(deps: AppDeps, id: string, patch: Partial<OrganizationInput>): Promise<Organization> {
  return deps.store.db.transaction().execute(async (trx) => {
    const org = await findOrganization(trx, id);
    if (!org) throw notFound(id);
    const next: Organization = {
      ...org,
      name: patch.name ?? org.name,
      tier: patch.tier ?? org.tier,
      contractValue: patch.contractValue === undefined ? org.contractValue : patch.contractValue,
      accountManager: patch.accountManager === undefined ? org.accountManager : patch.accountManager,
    };
    await writeOrganization(trx, next);
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
