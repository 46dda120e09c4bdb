/**
 * The engine names people by email (the policy does); the store by user id. A directory
 * translates within one transaction, remembering what it looked up. A user id's email is also
 * cached across changes in the process (store/change-watch.ts, topic `auth`: any write to
 * `users` drops it); email → id is not, since a user inserted by a transaction that rolls back
 * would leave a wrong answer behind.
 */
import type { Kysely } from 'kysely';
import { TopicCache, watchOf } from '../store/change-watch.ts';
import type { Database } from '../store/schema.ts';

const emails = new TopicCache<string, string | null>('auth', 10_000);

export class Directory {
  private readonly emailById = new Map<string, string | null>();
  private readonly idByEmail = new Map<string, string | null>();

  constructor(private readonly db: Kysely<Database>) {}

  async emailOf(userId: string | null): Promise<string | null> {
    if (userId === null) return null;
    if (!this.emailById.has(userId)) {
      const email = await emails.get(
        watchOf(this.db),
        userId,
        async () => (await this.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst())?.email ?? null,
        (e) => e !== null,
      );
      this.remember(userId, email);
    }
    return this.emailById.get(userId) ?? null;
  }

  async idOf(email: string | null): Promise<string | null> {
    if (email === null) return null;
    const key = email.toLowerCase();
    if (!this.idByEmail.has(key)) {
      const row = await this.db.selectFrom('users').select('id').where('email', '=', key).executeTakeFirst();
      this.idByEmail.set(key, row?.id ?? null);
      if (row) this.emailById.set(row.id, key);
    }
    return this.idByEmail.get(key) ?? null;
  }

  /** `user:<id>` → that user's email; anything else unchanged. */
  async actorEmail(actor: string): Promise<string> {
    if (!actor.startsWith('user:')) return actor;
    return (await this.emailOf(actor.slice(5))) ?? actor;
  }

  private remember(id: string, email: string | null): void {
    this.emailById.set(id, email);
    if (email) this.idByEmail.set(email.toLowerCase(), id);
  }
}
