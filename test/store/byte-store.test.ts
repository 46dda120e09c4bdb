import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { diskByteStore, type ByteStore } from '../../src/store/byte-store.ts';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** A stream of `count` chunks of `size` bytes, made as they are read; `made()` says how many bytes so far. */
function chunks(count: number, size: number): Readable & { made(): number } {
  let i = 0;
  const stream = new Readable({
    highWaterMark: size,
    read() {
      this.push(i++ < count ? Buffer.alloc(size, 0x61) : null);
    },
  });
  return Object.assign(stream, { made: () => Math.min(i, count) * size });
}

describe('disk byte store', () => {
  let dir: string;
  let store: ByteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'escalon-bytes-'));
    store = diskByteStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores content under its SHA-256 and reads it back', async () => {
    const put = await store.put(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { limit: 100 });
    expect(put).toEqual({ sha256: sha('hello world'), size: 11 });
    expect(await store.exists(put.sha256)).toBe(true);
    expect(await text((await store.get(put.sha256)) as Readable)).toBe('hello world');
    expect(readdirSync(join(dir, put.sha256.slice(0, 2)))).toEqual([put.sha256]);
  });

  it('keeps identical content once', async () => {
    const a = await store.put(Readable.from([Buffer.from('same')]), { limit: 100 });
    const b = await store.put(Readable.from([Buffer.from('same')]), { limit: 100 });
    expect(b).toEqual(a);
    expect(readdirSync(join(dir, a.sha256.slice(0, 2)))).toHaveLength(1);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('refuses content over the limit while streaming, and leaves no file behind', async () => {
    const source = chunks(1000, 1024);
    const err = await store.put(source, { limit: 10 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as DomainError).message).toContain('10240 bytes');
    // it stopped near the limit instead of reading the whole megabyte
    expect(source.made()).toBeLessThan(100 * 1024);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(readdirSync(dir)).toEqual(['tmp']);
  });

  it('accepts content of exactly the limit', async () => {
    const put = await store.put(chunks(4, 256), { limit: 1024 });
    expect(put.size).toBe(1024);
  });

  it('answers null and false for content it does not hold, and refuses a malformed hash', async () => {
    expect(await store.get(sha('absent'))).toBeNull();
    expect(await store.exists(sha('absent'))).toBe(false);
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
  });

  it('cleans up the temp file when the source fails midway', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(failing, { limit: 100 })).rejects.toThrow('client went away');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });
});
