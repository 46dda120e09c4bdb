/**
 * The backup file's tar (src/backup/tar.ts): what it writes, the system `tar` reads (and the
 * other way round), sizes past ustar's 8 GiB use the GNU base-256 field, and damage is named.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar, tarHeader, TarWriter } from '../../src/backup/tar.ts';

const dir = mkdtempSync(join(tmpdir(), 'escalon-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasTar = spawnSync('tar', ['--version']).status === 0;

async function write(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const tar = new TarWriter(out);
  for (const [name, content] of entries) expect(await tar.addBuffer(name, content)).toBe(createHash('sha256').update(content).digest('hex'));
  await tar.finish();
  out.end();
  return Buffer.concat(chunks);
}

async function read(archive: Buffer): Promise<Array<[string, Buffer]>> {
  const got: Array<[string, Buffer]> = [];
  await readTar(Readable.from([archive.subarray(0, 700), archive.subarray(700)]), async (e, content) => {
    const parts: Buffer[] = [];
    for await (const c of content) parts.push(c);
    got.push([e.name, Buffer.concat(parts)]);
  });
  return got;
}

describe('backup tar', () => {
  const entries: Array<[string, Buffer]> = [
    ['database.sqlite', randomBytes(5000)],
    ['attachments/ab/empty', Buffer.alloc(0)],
    ['manifest.json', Buffer.from('{"a":1}\n')],
  ];

  it('reads back what it wrote, entry by entry, whatever the chunking', async () => {
    expect(await read(await write(entries))).toEqual(entries);
  });

  if (hasTar) {
    it('is a tar the system tar lists and extracts, and reads what the system tar writes', async () => {
      const file = join(dir, 'ours.tar');
      writeFileSync(file, await write(entries));
      const list = spawnSync('tar', ['tf', file], { encoding: 'utf8' });
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout.trim().split('\n')).toEqual(entries.map(([n]) => n));
      const out = join(dir, 'x');
      spawnSync('mkdir', ['-p', out]);
      expect(spawnSync('tar', ['xf', file, '-C', out]).status).toBe(0);
      expect(readFileSync(join(out, 'database.sqlite'))).toEqual(entries[0]?.[1]);

      writeFileSync(join(out, 'theirs.txt'), 'made by tar\n');
      const theirs = join(dir, 'theirs.tar');
      expect(spawnSync('tar', ['--format=ustar', '-cf', theirs, '-C', out, 'theirs.txt']).status).toBe(0);
      expect(await read(readFileSync(theirs))).toEqual([['theirs.txt', Buffer.from('made by tar\n')]]);
    });
  }

  it('writes and reads sizes past 8 GiB in the base-256 field', async () => {
    const size = 9 * 1024 ** 3 + 7;
    const header = tarHeader('big.bin', size, 0);
    expect(header[124]).toBe(0x80);
    // The header alone: the reader takes the size and then finds the content missing.
    await expect(readTar(Readable.from([header]), async (e, content) => {
      expect(e.size).toBe(size);
      for await (const c of content) void c;
    })).rejects.toThrow(`truncated: entry 'big.bin' ends after 0 of ${size} bytes`);
  });

  it('names damage: a bad header checksum, a missing end marker, a non-file entry', async () => {
    const good = await write(entries);
    const badHeader = Buffer.from(good);
    badHeader[512 * 11] = (badHeader[512 * 11] ?? 0) ^ 1; // the second entry's header (after 512 + 5000→5120 bytes)
    await expect(read(badHeader)).rejects.toThrow(/damaged: a tar header checksum does not match \(after entry 1\)/);
    await expect(read(good.subarray(0, good.length - 1024))).rejects.toThrow('truncated: the archive ends before its end-of-archive marker');
    const dirEntry = tarHeader('attachments/', 0, 0);
    dirEntry.write('5', 156, 'ascii');
    let sum = 0;
    dirEntry.write('        ', 148, 'ascii');
    for (const b of dirEntry) sum += b;
    dirEntry.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    await expect(read(Buffer.concat([dirEntry, Buffer.alloc(1024)]))).rejects.toThrow("unexpected tar entry 'attachments/' (type '5'): a backup holds regular files only");
  });
});
