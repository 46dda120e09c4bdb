/** `escalon org list [--json]`; `escalon org create --name --tier [--contract-value] [--account-manager] [--domain D]…`. */
import type { Command } from 'commander';
import { systemClock } from '../app/deps.ts';
import { createOrganization } from '../app/manage-organization.ts';
import { DomainError } from '../domain/errors.ts';
import { findOrganization, listOrganizations, type Organization } from '../store/organizations-repo.ts';
import type { Store } from '../store/connect.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';
import { printRows } from './table.ts';

const COLUMNS = ['id', 'name', 'tier', 'contract_value', 'account_manager', 'mail_domains'] as const;

function row(o: Organization): Record<(typeof COLUMNS)[number], string | number | string[] | null> {
  return { id: o.id, name: o.name, tier: o.tier, contract_value: o.contractValue, account_manager: o.accountManager, mail_domains: o.mailDomains ?? [] };
}

/**
 * The organization an `--org` value names: its id, or its exact name (case-insensitive).
 * Refuses an unknown or ambiguous value, saying how to find the right one.
 */
export async function resolveOrganization(store: Store, value: string): Promise<Organization> {
  const byId = await findOrganization(store.db, value);
  if (byId) return byId;
  const wanted = value.trim().toLowerCase();
  const named = (await listOrganizations(store.db)).filter((o) => o.name.toLowerCase() === wanted);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new DomainError('VALIDATION_FAILED', `--org '${value}' names ${named.length} organizations (${named.map((o) => o.id).join(', ')}): give the id`, { field: 'org' });
  }
  throw new DomainError('ORGANIZATION_NOT_FOUND', `--org '${value}' is neither an organization id nor an organization name; \`escalon org list\` lists them`, { organization_id: value });
}

function contractValue(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) fail(new Error(`--contract-value must be a number ≥ 0 (got '${raw}')`));
  return n;
}

export function register(program: Command): void {
  const org = program.command('org').description('manage customer organizations');
  org
    .command('list')
    .description('every organization: id, name, tier, contract value, account manager, mail domains')
    .option('--json', 'print JSON instead of a table')
    .action(async (o: { json?: boolean }) => {
      const config = loadConfigOrExit();
      try {
        const orgs = await withStore(config, (store) => listOrganizations(store.db));
        printRows(orgs.map(row), COLUMNS, { json: o.json ?? false, empty: 'no organizations (create one with `escalon org create --name NAME --tier TIER`)' });
      } catch (err) {
        fail(err);
      }
    });

  org
    .command('create')
    .description('create a customer organization')
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--tier <tier>', 'customer tier as the policy names it (standard, premium, enterprise in the reference policy)')
    .option('--contract-value <amount>', 'annual contract value (a number)')
    .option('--account-manager <email>', "the account manager's email")
    .option('--domain <domain>', 'a mail domain of the organization (repeat for several): new senders from it join the organization', (d: string, all: string[]) => [...all, d], [] as string[])
    .option('--json', 'print the created organization as JSON')
    .action(async (o: { name: string; tier: string; contractValue?: string; accountManager?: string; domain: string[]; json?: boolean }) => {
      if (o.name.trim() === '') fail(new Error('--name must not be empty'));
      if (o.tier.trim() === '') fail(new Error('--tier must not be empty'));
      const value = o.contractValue === undefined ? null : contractValue(o.contractValue);
      const config = loadConfigOrExit();
      try {
        const created = await withStore(config, (store) =>
          createOrganization({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, { name: o.name.trim(), tier: o.tier.trim(), contractValue: value, accountManager: o.accountManager ?? null, mailDomains: o.domain }),
        );
        process.stdout.write(o.json ? `${JSON.stringify(row(created), null, 2)}\n` : `created organization ${created.name} (${created.tier}, id ${created.id}${created.mailDomains?.length ? `; mail domains ${created.mailDomains.join(', ')}` : ''})\n`);
      } catch (err) {
        fail(err);
      }
    });
}
