/**
 * Attachment bytes, outside the database, addressed by their SHA-256. The interface is what
 * app/ uses, so another backend (an object store) can replace the disk one. `put` consumes a
 * stream chunk by chunk and never holds the whole content: it hashes and counts while writing,
 * and refuses, as soon as the count passes `limit`, with PAYLOAD_TOO_LARGE.
 *
 * On disk: `<dir>/<sha[0..2]>/<sha>`. A file is written under `<dir>/tmp/` and renamed into
 * place once complete and flushed, so a reader never sees half a file and a crash leaves only
 * a temp file behind. Identical content is stored once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../domain/errors.ts';

export interface StoredBytes {
  sha256: string;
  size: number;
}

export interface ByteStore {
  put(source: Readable, opts: { limit: number }): Promise<StoredBytes>;
  /** The content, or null when nothing is stored under this hash. */
  get(sha256: string): Promise<Readable | null>;
  exists(sha256: string): Promise<boolean>;
  /** Deletes the content (personal-data erasure); nothing stored is not an error. */
  remove?(sha256: string): Promise<void>;
}

export function tooLarge(limit: number, what = 'the attachment'): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `${what} is larger than the limit of ${limit} bytes (ESCALON_ATTACHMENT_LIMIT)`, { limit });
}

/** Hashes and counts what passes; errors with PAYLOAD_TOO_LARGE past `limit`. */
export class MeteredStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) return done(tooLarge(this.limit));
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

export function diskByteStore(dir: string): ByteStore {
  const pathOf = (sha: string) => {
    if (!HEX64.test(sha)) throw new Error(`not a SHA-256: '${sha}'`);
    return join(dir, sha.slice(0, 2), sha);
  };
  const tmpDir = join(dir, 'tmp');
  const exists = async (sha: string) => stat(pathOf(sha)).then(
    (s) => s.isFile(),
    () => false,
  );
  return {
    async put(source, { limit }) {
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, `${randomUUID()}.part`);
      const meter = new MeteredStream(limit);
      try {
        await pipeline(source, meter, createWriteStream(tmp, { flush: true }));
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
      const sha256 = meter.digest();
      const target = pathOf(sha256);
      if (await exists(sha256)) {
        await unlink(tmp);
      } else {
        await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
        await rename(tmp, target);
      }
      return { sha256, size: meter.size };
    },
    async get(sha) {
      if (!(await exists(sha))) return null;
      return createReadStream(pathOf(sha));
    },
    exists,
    async remove(sha) {
      await unlink(pathOf(sha)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
  };
}
