/**
 * Attachments over the API: multipart upload, claiming by comments and new tickets, the
 * streamed download with its safety headers, the size limit, and access exactly as the
 * ticket's (an internal note's file answers a customer like a missing one).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { multipart, type FilePart } from '../helpers/multipart.ts';

const LIMIT = 64 * 1024;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 7)]);

interface AttachmentWire {
  id: string;
  ticket_id: string | null;
  comment_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  url: string;
}

describeStores('attachments API', (ctx) => {
  let t: TestApp;
  let dir: string;
  let ticketKey: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escalon-attach-api-'));
    t = await makeTestApp(ctx.store, { files: diskByteStore(dir), attachmentLimit: LIMIT });
    ticketKey = (await createTicket(t.deps, t.cast.actors.customerA, { subject: 'printer on fire', body: 'see photo' })).ticket.key;
  });
  afterAll(async () => {
    await t.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function upload(who: Person, files: FilePart[]) {
    const { payload, headers } = multipart(files);
    return t.app.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { ...headers, ...t.auth(who) } });
  }
  async function uploadOne(who: Person, file: FilePart): Promise<AttachmentWire> {
    const res = await upload(who, [file]);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ items: AttachmentWire[] }>().items[0] as AttachmentWire;
  }
  const comment = (who: Person, body: Record<string, unknown>, ref = ticketKey) =>
    t.app.inject({ method: 'POST', url: `/api/v1/tickets/${ref}/comments`, headers: t.auth(who), payload: body });
  const download = (who: Person, id: string) => t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: t.auth(who) });

  it('a customer attaches a file to a reply; staff download the same bytes, typed by content, as a download', async () => {
    const up = await uploadOne('customerA', { filename: 'Schäden photo.png', contentType: 'text/html', content: PNG });
    expect(up).toMatchObject({ ticket_id: null, comment_id: null, filename: 'Schäden photo.png', content_type: 'image/png', size: PNG.length });
    const res = await comment('customerA', { body: 'photo attached', attachment_ids: [up.id] });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json<{ id: string; attachments: AttachmentWire[] }>();
    expect(c.attachments.map((a) => [a.id, a.comment_id])).toEqual([[up.id, c.id]]);

    const got = await download('agent', up.id);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="Sch_den photo.png"; filename*=UTF-8''Sch%C3%A4den%20photo.png`);
    expect(got.headers['content-length']).toBe(String(PNG.length));

    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketKey}/comments`, headers: t.auth('customerA') });
    const mine = listed.json<{ items: Array<{ id: string; attachments: AttachmentWire[] }> }>().items.find((x) => x.id === c.id);
    expect(mine?.attachments.map((a) => a.filename)).toEqual(['Schäden photo.png']);
  });

  it('serves an uploaded HTML page as plain text, never as HTML', async () => {
    const up = await uploadOne('customerA', { filename: 'x.html', contentType: 'text/html', content: Buffer.from('<script>alert(1)</script>') });
    expect(up.content_type).toBe('text/plain; charset=utf-8');
    expect((await download('customerA', up.id)).headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it("an internal note's file, another organization's file and someone else's pending upload answer like a missing one", async () => {
    const secret = await uploadOne('agent', { filename: 'internal.txt', content: Buffer.from('only staff') });
    const note = await comment('agent', { body: 'note', public: false, attachment_ids: [secret.id] });
    expect(note.statusCode, note.body).toBe(201);
    expect((await download('lead', secret.id)).statusCode).toBe(200);
    const missing = await download('customerA', 'no-such-attachment');
    expect(missing.statusCode).toBe(404);
    const hidden = await download('customerA', secret.id);
    expect([hidden.statusCode, hidden.json<{ error: { code: string } }>().error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
    expect((await download('customerB', secret.id)).statusCode).toBe(404);

    const list = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketKey}/attachments`, headers: t.auth('customerA') });
    expect(list.json<{ items: AttachmentWire[] }>().items.map((a) => a.id)).not.toContain(secret.id);
    const staffList = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketKey}/attachments`, headers: t.auth('agent') });
    expect(staffList.json<{ items: AttachmentWire[] }>().items.map((a) => a.id)).toContain(secret.id);

    const pending = await uploadOne('customerA', { filename: 'draft.txt', content: Buffer.from('draft') });
    expect((await download('customerA', pending.id)).statusCode).toBe(200);
    expect((await download('agent', pending.id)).statusCode).toBe(404);
    expect((await download('customerB', pending.id)).statusCode).toBe(404);
  });

  it("refuses attachment_ids that are someone else's, unknown, or already used, and adds no comment", async () => {
    const theirs = await uploadOne('agent', { filename: 'a.txt', content: Buffer.from('a') });
    const before = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketKey}/comments`, headers: t.auth('agent') })).json<{ items: unknown[] }>().items.length;
    for (const ids of [[theirs.id], ['unknown-id']]) {
      const res = await comment('customerA', { body: 'steal', attachment_ids: ids });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toContain('attachment_ids');
    }
    const used = await uploadOne('customerA', { filename: 'b.txt', content: Buffer.from('b') });
    expect((await comment('customerA', { body: 'first', attachment_ids: [used.id] })).statusCode).toBe(201);
    expect((await comment('customerA', { body: 'again', attachment_ids: [used.id] })).statusCode).toBe(400);
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketKey}/comments`, headers: t.auth('agent') })).json<{ items: unknown[] }>().items.length;
    expect(after).toBe(before + 1);
  });

  it('refuses a file over ESCALON_ATTACHMENT_LIMIT with 413 naming the limit, and keeps nothing of it', async () => {
    const res = await upload('customerA', [{ filename: 'big.bin', content: Buffer.alloc(LIMIT + 1, 1) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining(`${LIMIT} bytes`) });
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    const exact = await upload('customerA', [{ filename: 'exact.bin', content: Buffer.alloc(LIMIT, 1) }]);
    expect(exact.statusCode).toBe(201);
  });

  it('takes several files in one request and attaches them to a new ticket', async () => {
    const res = await upload('customerA', [
      { filename: 'one.txt', content: Buffer.from('one') },
      { filename: 'two.pdf', content: Buffer.from('%PDF-1.4\n...') },
    ]);
    expect(res.statusCode).toBe(201);
    const ids = res.json<{ items: AttachmentWire[] }>().items.map((a) => a.id);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('customerA'), payload: { subject: 'with files', body: 'two files', attachment_ids: ids } });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json<{ key: string }>().key;
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/attachments`, headers: t.auth('agent') });
    expect(list.json<{ items: AttachmentWire[] }>().items.map((a) => [a.filename, a.content_type, a.comment_id])).toEqual([
      ['one.txt', 'text/plain; charset=utf-8', null],
      ['two.pdf', 'application/pdf', null],
    ]);
  });

  it('asks for multipart when the upload is not, and for a file when there is none', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/attachments', headers: t.auth('agent'), payload: { file: 'x' } });
    expect([json.statusCode, json.json<{ error: { code: string } }>().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const { payload, headers } = multipart([], { note: 'no file' });
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { ...headers, ...t.auth('agent') } });
    expect([empty.statusCode, empty.json<{ error: { code: string } }>().error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
