/** Customer organizations: tier, annual contract value, account manager. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrganizationsTable } from './schema.ts';

type Db = Kysely<Database>;

export interface Organization {
  id: string;
  name: string;
  tier: string;
  contractValue: number | null;
  accountManager: string | null;
  createdAt: number;
}

function toOrg(r: Selectable<OrganizationsTable>): Organization {
  return { id: r.id, name: r.name, tier: r.tier, contractValue: r.contract_value, accountManager: r.account_manager, createdAt: r.created_at };
}

export async function insertOrganization(db: Db, o: Organization): Promise<void> {
  await db
    .insertInto('organizations')
    .values({ id: o.id, name: o.name, tier: o.tier, contract_value: o.contractValue, account_manager: o.accountManager, created_at: o.createdAt })
    .execute();
}

export async function findOrganization(db: Db, id: string): Promise<Organization | undefined> {
  const r = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toOrg(r) : undefined;
}

export async function listOrganizations(db: Db): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('name').orderBy('id').execute();
  return rows.map(toOrg);
}

export async function updateOrganization(db: Db, o: Organization): Promise<void> {
  await db
    .updateTable('organizations')
    .set({ name: o.name, tier: o.tier, contract_value: o.contractValue, account_manager: o.accountManager })
    .where('id', '=', o.id)
    .execute();
}

/** How many tickets and users still refer to the organization (a delete is refused while any do). */
export async function organizationReferences(db: Db, id: string): Promise<{ tickets: number; users: number }> {
  const t = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', id).executeTakeFirstOrThrow();
  const u = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', id).executeTakeFirstOrThrow();
  return { tickets: Number(t.n), users: Number(u.n) };
}

export async function deleteOrganization(db: Db, id: string): Promise<void> {
  await db.deleteFrom('organizations').where('id', '=', id).execute();
}
