/** Customer organizations: tier, annual contract value, account manager. */
import type { Kysely, Selectable } from 'kysely';
import { TopicCache, watchOf } from './change-watch.ts';
import type { Database, OrganizationsTable } from './schema.ts';

type Db = Kysely<Database>;

export interface Organization {
  id: string;
  name: string;
  tier: string;
  contractValue: number | null;
  accountManager: string | null;
  createdAt: number;
  /** Mail domains whose new senders join this organization (organization_domains, lower case). */
  mailDomains?: string[];
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

/** Organizations by id, cached in the process (every ticket change reads its tier; store/change-watch.ts topic `org`). */
const byId = new TopicCache<string, Organization | undefined>('org', 10_000, 5_000);

export async function findOrganization(db: Db, id: string): Promise<Organization | undefined> {
  const found = await byId.get(
    watchOf(db),
    id,
    async () => {
      const r = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) return undefined;
      const domains = await db.selectFrom('organization_domains').select('domain').where('organization_id', '=', id).orderBy('domain').execute();
      return { ...toOrg(r), mailDomains: domains.map((d) => d.domain) };
    },
    (o) => o !== undefined,
  );
  return found && { ...found, mailDomains: [...(found.mailDomains ?? [])] };
}

export async function listOrganizations(db: Db): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('name').orderBy('id').execute();
  const domains = await db.selectFrom('organization_domains').select(['domain', 'organization_id']).orderBy('domain').execute();
  const byOrg = new Map<string, string[]>();
  for (const d of domains) byOrg.set(d.organization_id, [...(byOrg.get(d.organization_id) ?? []), d.domain]);
  return rows.map((r) => ({ ...toOrg(r), mailDomains: byOrg.get(r.id) ?? [] }));
}

/** Replaces the organization's mail domains (inside the caller's transaction). */
export async function setOrganizationDomains(db: Db, id: string, domains: readonly string[], at: number): Promise<void> {
  await db.deleteFrom('organization_domains').where('organization_id', '=', id).execute();
  if (domains.length > 0) await db.insertInto('organization_domains').values(domains.map((domain) => ({ domain, organization_id: id, created_at: at }))).execute();
}

/** The organization a mail domain belongs to, if any. */
export async function organizationOfDomain(db: Db, domain: string): Promise<string | undefined> {
  const r = await db.selectFrom('organization_domains').select('organization_id').where('domain', '=', domain.toLowerCase()).executeTakeFirst();
  return r?.organization_id;
}

/** Which of these domains another organization already has (domain → its organization). */
export async function domainsTakenElsewhere(db: Db, id: string | null, domains: readonly string[]): Promise<Array<{ domain: string; organizationId: string }>> {
  if (domains.length === 0) return [];
  let q = db.selectFrom('organization_domains').select(['domain', 'organization_id']).where('domain', 'in', [...domains]);
  if (id) q = q.where('organization_id', '!=', id);
  return (await q.execute()).map((r) => ({ domain: r.domain, organizationId: r.organization_id }));
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
  await db.deleteFrom('organization_domains').where('organization_id', '=', id).execute();
  await db.deleteFrom('organizations').where('id', '=', id).execute();
}
