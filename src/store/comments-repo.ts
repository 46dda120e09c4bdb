/** Comments on tickets: public replies and internal notes. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface Comment {
  id: string;
  ticketId: string;
  authorId: string;
  authorRole: string;
  public: boolean;
  body: string;
  createdAt: number;
}

export async function insertComment(db: Db, c: Comment): Promise<void> {
  await db
    .insertInto('comments')
    .values({
      id: c.id,
      ticket_id: c.ticketId,
      author_id: c.authorId,
      author_role: c.authorRole,
      public: c.public ? 1 : 0,
      body: c.body,
      created_at: c.createdAt,
    })
    .execute();
}

export async function listComments(db: Db, ticketId: string, opts: { includeInternal: boolean }): Promise<Comment[]> {
  let q = db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId);
  if (!opts.includeInternal) q = q.where('public', '=', 1);
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    authorId: r.author_id,
    authorRole: r.author_role,
    public: r.public === 1,
    body: r.body,
    createdAt: r.created_at,
  }));
}
