/**
 * App-generated ids: UUIDv7 (RFC 9562), time-ordered so that ids created later in this
 * process sort later, which makes (created_at, id) a stable cursor and events sort in the
 * order they were written. Within one millisecond a counter in the 12 `rand_a` bits keeps
 * them increasing.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
/** Random bytes drawn 8 KiB at a time (one system call per 512 ids, not one per id). */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function random16(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const b = Buffer.allocUnsafe(16);
  pool.copy(b, 0, offset, offset + 16);
  // Each id's bytes are used once: wipe them from the pool.
  pool.fill(0, offset, offset + 16);
  offset += 16;
  return b;
}

export function newId(now: number = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const b = random16();
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
