/**
 * The ServiceNow importer on the real log (examples/data, 88,221 rows, 14,538 incidents): our
 * whole conversion (gunzip, CSV parse, checks, convert, global sort, JSONL text) against, in the
 * same run, the floor of any importer: gunzip plus a naive split on line ends and commas.
 *
 *   npx tsx bench/import-servicenow.bench.ts [FILE]
 */
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { readServiceNowLog } from '../src/import/servicenow.ts';

const file =
  process.argv[2] ??
  fileURLToPath(new URL('../examples/data/servicenow-incidents-train.csv.gz', import.meta.url));

async function floor(): Promise<number> {
  const text = createReadStream(file).pipe(createGunzip());
  text.setEncoding('utf8');
  let rest = '';
  let fields = 0;
  for await (const chunk of text as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) fields += line.split(',').length;
  }
  return fields;
}

async function ours(): Promise<number> {
  const { lines } = await readServiceNowLog(file);
  let bytes = 0;
  for (const line of lines) bytes += JSON.stringify(line).length + 1;
  return bytes;
}

async function best(name: string, fn: () => Promise<number>): Promise<number> {
  let bestMs = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    await fn();
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `${name.padEnd(48)} ${bestMs.toFixed(0).padStart(6)} ms  ${Math.round(88_221 / (bestMs / 1000)).toLocaleString('en-US')} rows/s`,
  );
  return bestMs;
}

console.log(`${file}, best of 5, ${process.version}`);
const oursMs = await best('ours: import servicenow (to JSONL text)', ours);
const floorMs = await best('baseline: gunzip + split lines and commas', floor);
console.log(`ours / floor time: ${(oursMs / floorMs).toFixed(1)}×`);
