/**
 * Attachment upload and download of a 5 MiB file through the real HTTP server, 20 requests at
 * once: throughput, and the peak resident memory of the server process (sampled every 10 ms
 * from /proc) above its idle level. The baseline in the same run: the same server process
 * receiving the same file as one buffered POST body (a bare Fastify route beside the API,
 * writing the buffer to disk), and the disk's raw write speed. Streaming shows as memory that
 * stays flat however many files are in flight; buffering grows by about one body per request.
 *
 *   npx tsx bench/attachments.bench.ts [rounds of 20, default 3]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rounds = Number(process.argv[2] ?? 3);
const AT_ONCE = 20;
const SIZE = 5 * 1024 * 1024;
const MiB = 1024 * 1024;
const file = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i += 4) file.writeUInt32LE((i * 2654435761) >>> 0, i);

const server = spawn(process.execPath, ['--import', 'tsx', 'bench/attachments-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const info = await new Promise<{ address: string; bareAddress: string; token: string; dir: string }>((resolve) => {
  createInterface({ input: server.stdout! }).once('line', (l) => resolve(JSON.parse(l) as never));
});
const auth = { authorization: `Bearer ${info.token}` };
const rssOf = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

interface Phase {
  name: string;
  mibPerS: number;
  idleMiB: number;
  peakMiB: number;
  errors: number;
}

async function phase(name: string, one: () => Promise<boolean>): Promise<Phase> {
  await new Promise((r) => setTimeout(r, 1500)); // let the previous phase's garbage settle
  const idle = rssOf();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf())), 10);
  let errors = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    const ok = await Promise.all(Array.from({ length: AT_ONCE }, one));
    errors += ok.filter((x) => !x).length;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssOf());
  return { name, mibPerS: (rounds * AT_ONCE * SIZE) / MiB / seconds, idleMiB: idle / MiB, peakMiB: peak / MiB, errors };
}

const ids: string[] = [];
// built once, so the client's own encoding costs nothing during the run
const BOUNDARY = '----escalon-bench-boundary';
const multipartBody = Buffer.concat([
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="five-mib.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  file,
  Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
]);
const upload = async () => {
  const res = await fetch(`${info.address}/api/v1/attachments`, { method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: multipartBody });
  if (res.status !== 201) return false;
  ids.push(((await res.json()) as { items: Array<{ id: string }> }).items[0]!.id);
  return true;
};
let next = 0;
const download = async () => {
  const id = ids[next++ % ids.length]!;
  const res = await fetch(`${info.address}/api/v1/attachments/${id}`, { headers: auth });
  let n = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
  return res.status === 200 && n === SIZE;
};
const buffered = async () => {
  const res = await fetch(`${info.bareAddress}/buffered`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file });
  await res.arrayBuffer();
  return res.status === 201;
};

function diskWrite(): number {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-disk-'));
  const started = performance.now();
  for (let i = 0; i < AT_ONCE; i++) {
    const fd = openSync(join(dir, `f${i}`), 'w');
    writeSync(fd, file);
    fsyncSync(fd);
    closeSync(fd);
  }
  const seconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return (AT_ONCE * SIZE) / MiB / seconds;
}

try {
  await phase('warm-up (not reported)', upload);
  const results = [
    await phase('upload (multipart, streamed to the byte store)', upload),
    await phase('download (streamed from the byte store)', download),
    await phase('baseline: buffered POST body, written to disk', buffered),
  ];
  console.log(`${rounds} rounds of ${AT_ONCE} requests at once, ${SIZE / MiB} MiB each (${(rounds * AT_ONCE * SIZE) / MiB} MiB per phase)\n`);
  console.log('| phase | MiB/s | server RSS idle | peak | growth | failed |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const p of results) {
    console.log(`| ${p.name} | ${p.mibPerS.toFixed(0)} | ${p.idleMiB.toFixed(0)} MiB | ${p.peakMiB.toFixed(0)} MiB | +${(p.peakMiB - p.idleMiB).toFixed(0)} MiB | ${p.errors} |`);
  }
  console.log(`| raw disk: ${AT_ONCE} × ${SIZE / MiB} MiB written and fsynced, one process | ${diskWrite().toFixed(0)} | | | | |`);
} finally {
  server.kill('SIGTERM');
  rmSync(info.dir, { recursive: true, force: true });
}
