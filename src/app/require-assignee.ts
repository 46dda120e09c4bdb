/** An assignee must be an active staff account; anything else is refused with INVALID_ASSIGNEE. */
import type { Kysely } from 'kysely';
import { isStaff } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import { findUserById } from '../store/users-repo.ts';

export async function requireAssignee(db: Kysely<Database>, userId: string): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user || !user.active || !isStaff(user.role)) {
    throw new DomainError('INVALID_ASSIGNEE', `'${userId}' is not an active agent`, { assignee_id: userId });
  }
}
