/**
 * A minimal POSIX tar (ustar) writer and reader for backup files — enough for regular files
 * with short names, so a backup opens with the standard `tar` tool (`tar tvf backup.tar`).
 * Sizes past ustar's 8 GiB use the GNU base-256 size field. The reader checks every header's
 * checksum and the end-of-archive marker, so a truncated or damaged archive is an error, never
 * a shorter archive. Content is streamed in both directions (never held whole in memory).
 */
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

const BLOCK = 512;

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(name: string, size: number, mtimeSec: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar: entry name longer than 100 bytes: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (size < 8 ** 11) {
    h.write(octal(size, 12), 124, 'ascii');
  } else {
    // GNU base-256: high bit of the first byte set, big-endian binary in the rest.
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write(octal(Math.floor(mtimeSec), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** Writes to a stream, waiting for it to drain (back-pressure). */
async function put(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        out.off('drain', onDrain);
        reject(e);
      };
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  }
}

export class TarWriter {
  constructor(private readonly out: Writable) {}

  /**
   * One entry of `size` bytes from `source`; returns the content's SHA-256. A source that
   * yields more or fewer bytes than announced is an error (the archive would be unreadable).
   */
  async add(name: string, size: number, source: AsyncIterable<Buffer> | Iterable<Buffer> | Readable, mtimeMs = Date.now()): Promise<string> {
    await put(this.out, tarHeader(name, size, mtimeMs / 1000));
    const hash = createHash('sha256');
    let written = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      written += chunk.length;
      if (written > size) throw new ArchiveError(`${name} grew while it was being copied (announced ${size} bytes)`);
      hash.update(chunk);
      await put(this.out, chunk);
    }
    if (written !== size) throw new ArchiveError(`${name} shrank while it was being copied (${written} of ${size} bytes)`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad) await put(this.out, Buffer.alloc(pad, 0));
    return hash.digest('hex');
  }

  async addBuffer(name: string, content: Buffer): Promise<string> {
    return this.add(name, content.length, [content]);
  }

  /** The end-of-archive marker: two zero blocks. */
  async finish(): Promise<void> {
    await put(this.out, Buffer.alloc(BLOCK * 2, 0));
  }
}

/** Pulls exact byte counts out of a stream. */
class Pull {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(min: number): Promise<void> {
    while (this.buf.length < min && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : Buffer.from(r.value);
    }
  }

  /** Exactly n bytes, or fewer when the stream ends first. */
  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Up to `max` bytes (at least one unless the stream ended). */
  async some(max: number): Promise<Buffer> {
    await this.fill(1);
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  async rest(): Promise<number> {
    let n = this.buf.length;
    this.buf = Buffer.alloc(0);
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else n += r.value.length;
    }
    return n;
  }
}

function parseOctal(field: Buffer, what: string): number {
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError(`damaged tar header (${what} '${text}')`);
  return parseInt(text, 8);
}

function parseSize(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let v = 0n;
    for (let i = 1; i < field.length; i++) v = (v << 8n) | BigInt(field[i] ?? 0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveError('damaged tar header (size)');
    return Number(v);
  }
  return parseOctal(field, 'size');
}

export interface TarEntry {
  name: string;
  size: number;
}

/**
 * Reads every entry; `onEntry` receives the entry and its content as chunks (it must consume
 * them all). Throws ArchiveError on a bad header checksum, a truncated entry, a missing
 * end-of-archive marker, or a non-regular entry.
 */
export async function readTar(source: AsyncIterable<Buffer>, onEntry: (entry: TarEntry, content: AsyncIterable<Buffer>) => Promise<void>): Promise<{ entries: number }> {
  const pull = new Pull(source);
  let entries = 0;
  for (;;) {
    const header = await pull.take(BLOCK);
    if (header.length < BLOCK) {
      if (entries === 0) throw new ArchiveError(header.length === 0 ? 'the file is empty' : 'not a backup file (shorter than one tar header)');
      throw new ArchiveError('truncated: the archive ends before its end-of-archive marker');
    }
    if (header.every((b) => b === 0)) {
      const second = await pull.take(BLOCK);
      if (second.length < BLOCK || !second.every((b) => b === 0)) throw new ArchiveError('truncated or damaged: incomplete end-of-archive marker');
      break;
    }
    let stored: number;
    try {
      stored = parseOctal(header.subarray(148, 156), 'checksum');
    } catch (err) {
      if (entries === 0) throw new ArchiveError('not a backup file (no tar header at the start)');
      throw err;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    if (sum !== stored) throw new ArchiveError(entries === 0 ? 'not a backup file (no tar header at the start)' : `damaged: a tar header checksum does not match (after entry ${entries})`);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const type = String.fromCharCode(header[156] ?? 0);
    if (type !== '0' && type !== '\0') throw new ArchiveError(`unexpected tar entry '${name}' (type '${type}'): a backup holds regular files only`);
    const size = parseSize(header.subarray(124, 136));
    let left = size;
    let truncated = false;
    const content: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        while (left > 0) {
          const chunk = await pull.some(Math.min(left, 1 << 20));
          if (chunk.length === 0) {
            truncated = true;
            throw new ArchiveError(`truncated: entry '${name}' ends after ${size - left} of ${size} bytes`);
          }
          left -= chunk.length;
          yield chunk;
        }
      },
    };
    await onEntry({ name, size }, content);
    if (truncated) throw new ArchiveError(`truncated: entry '${name}' is incomplete`);
    if (left > 0) throw new Error(`tar reader: entry '${name}' not consumed`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad && (await pull.take(pad)).length < pad) throw new ArchiveError(`truncated: the archive ends inside entry '${name}'`);
    entries++;
  }
  // Whatever follows the marker is ignored (GNU tar pads archives to 10 KiB records).
  await pull.rest();
  return { entries };
}
