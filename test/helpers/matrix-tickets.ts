// The tickets both authorization matrices probe: one in the customer's own organization (A),
// one in another (B), each with an internal note carrying a file and a public reply carrying
// a file. Markers in the texts let a test see a leak in any answer.
import { Readable } from 'node:stream';
import { addComment } from '../../src/app/add-comment.ts';
import { storeAttachment } from '../../src/app/attachments.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import type { Person, TestApp } from './app.ts';
import { writtenComment } from './fixtures.ts';

export const INTERNAL = 'INTERNAL-NOTE-MARKER';
export const OTHER_ORG = 'OTHER-ORG-MARKER';

export async function seedMatrixTickets(t: TestApp) {
  const { actors } = t.cast;
  const attach = async (by: (typeof actors)[Person], ticketId: string, commentId: string, name: string) =>
    (await storeAttachment(t.deps, t.deps.store.db, { uploadedBy: by.userId, filename: name, content: Readable.from([Buffer.from(name)]), ticketId, commentId })).id;
  const withNoteAndReply = async (ticket: { id: string; key: string }, side: string, replyFile: string) => {
    const note = await addComment(t.deps, actors.agent, ticket.key, { body: `${INTERNAL} ${side}`, public: false });
    await attach(actors.agent, ticket.id, writtenComment(note).id, `${INTERNAL}-${side}.txt`);
    const reply = await addComment(t.deps, actors.agent, ticket.key, { body: 'public reply', public: true });
    return attach(actors.agent, ticket.id, writtenComment(reply).id, replyFile);
  };
  const own = (await createTicket(t.deps, actors.customerA, { subject: 'own ticket', body: 'mine' })).ticket;
  const ownFile = await withNoteAndReply(own, 'own', 'reply.txt');
  const other = (await createTicket(t.deps, actors.customerB, { subject: `${OTHER_ORG} ticket`, body: OTHER_ORG })).ticket;
  const otherFile = await withNoteAndReply(other, 'other', `${OTHER_ORG}.txt`);
  return { own, other, ownFile, otherFile };
}
