/** Creates a user account; customers must belong to an organization, staff to none. A password must pass the policy (auth/password-policy.ts). */
import type { Role } from '../auth/roles.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/secrets.ts';
import { checkPhone, checkTimeZone } from '../domain/contact.ts';
import { DomainError } from '../domain/errors.ts';
import { newId } from '../store/new-id.ts';
import { findOrganization } from '../store/organizations-repo.ts';
import { findUserByEmail, insertUser, type User } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  organizationId?: string | null;
  password?: string;
  phone?: string | null;
  timeZone?: string | null;
}

export async function createUser(deps: AppDeps, input: CreateUserInput): Promise<User> {
  const orgId = input.organizationId ?? null;
  if (input.role === 'customer' && !orgId) {
    throw new DomainError('VALIDATION_FAILED', 'a customer belongs to an organization: give organization_id (--org)', { field: 'organization_id' });
  }
  if (input.role !== 'customer' && orgId) {
    throw new DomainError('VALIDATION_FAILED', `a ${input.role} is staff and belongs to no customer organization`, { field: 'organization_id' });
  }
  const phone = checkPhone(input.phone) ?? null;
  const timeZone = checkTimeZone(input.timeZone) ?? null;
  if (input.password !== undefined) assertStrongPassword(input.password);
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const at = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    if (orgId && !(await findOrganization(trx, orgId))) {
      throw new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${orgId}'`, { organization_id: orgId });
    }
    if (await findUserByEmail(trx, input.email)) {
      throw new DomainError('EMAIL_TAKEN', `a user with email '${input.email}' already exists`, { email: input.email });
    }
    const user = { id: newId(at), email: input.email.trim().toLowerCase(), name: input.name, role: input.role, organizationId: orgId, active: true, createdAt: at, phone, timeZone };
    await insertUser(trx, { ...user, passwordHash });
    return user;
  });
}
