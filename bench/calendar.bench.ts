/**
 * Business-time `add` on the reference us-business calendar (America/New_York, 09-12 + 13-17
 * Monday to Friday, three holidays): ours vs dayjs + dayjs-business-time on the same inputs.
 *
 *   npx tsx bench/calendar.bench.ts [--procs 3]
 *
 * Cold: every measurement runs in a fresh process (this script re-run with --child), on a fresh
 * calendar, over distinct start instants (whole minutes through 2026, a different set per
 * process, the same set for both sides): per call = the whole run / its number of calls, so
 * the one-off work (zone transitions, the year's spans) is counted. "first call" is the very
 * first add of that process. Before timing, each process warms the JIT on another calendar
 * (Europe/Berlin, 2030-2031) and loads the platform's data of the New York zone (the peer's
 * process has it from TZ), so cold measures empty caches, not compilation. Warm: the same
 * process then repeats its inputs (best of 3 rounds of ≥ 300 ms). The median over --procs
 * processes is shown.
 *
 * dayjs-business-time works in the process's local zone, so the process runs in New York time.
 */
process.env.TZ = 'America/New_York';

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import dayjs from 'dayjs';
import dayjsBusinessTime from 'dayjs-business-time';
import { BusinessCalendar } from '../src/domain/calendar.ts';
import type { CalendarSpec } from '../src/domain/policy/types.ts';

const H = 3_600_000;
const day = [
  { start: 9 * 60, end: 12 * 60 },
  { start: 13 * 60, end: 17 * 60 },
];
const spec: CalendarSpec = {
  id: 'us-business',
  timezone: 'America/New_York',
  alwaysOpen: false,
  week: [day, day, day, day, day, [], []],
  holidays: ['2026-11-26', '2026-12-25', '2027-01-01'],
};
/** For warming the JIT only: another zone, other years. */
const warmSpec: CalendarSpec = { ...spec, id: 'warm', timezone: 'Europe/Berlin', holidays: ['2030-12-25'] };

dayjs.extend(dayjsBusinessTime);
const segment = [
  { start: '09:00:00', end: '12:00:00' },
  { start: '13:00:00', end: '17:00:00' },
];
dayjs.setBusinessTime({
  sunday: null,
  monday: segment,
  tuesday: segment,
  wednesday: segment,
  thursday: segment,
  friday: segment,
  saturday: null,
});
dayjs.setHolidays(spec.holidays);

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};

/** `count` distinct start instants on whole minutes through 2026 (seeded LCG), in and out of hours. */
function instants(count: number, seed: number): number[] {
  const base = Date.parse('2026-01-01T00:00:00-05:00');
  const seen = new Set<number>();
  const out: number[] = [];
  let s = seed * 7919 + 42;
  while (out.length < count) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const at = base + Math.floor((s / 2 ** 31) * 364 * 24 * 60) * 60_000;
    if (!seen.has(at)) {
      seen.add(at);
      out.push(at);
    }
  }
  return out;
}

const peerAdd = (from: number, hours: number): number =>
  dayjs(from).addBusinessTime(hours, 'hours').valueOf();

/** ns per call: the best of `rounds` rounds, each running `set` repeatedly for at least `budgetMs`. */
function measure(set: number[], fn: (from: number) => number, budgetMs: number, rounds: number): number {
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const started = process.hrtime.bigint();
    let elapsed = 0n;
    do {
      for (const from of set) sink += fn(from);
      calls += set.length;
      elapsed = process.hrtime.bigint() - started;
    } while (elapsed < BigInt(budgetMs) * 1_000_000n);
    best = Math.min(best, Number(elapsed) / calls);
  }
  if (sink === -1) console.log('');
  return best;
}

interface ChildResult {
  /** ns per call over the whole cold run, first call included. */
  cold: number;
  /** ns of the first call. */
  first: number;
  /** ns per call, warm (best of 3), or NaN when not asked. */
  warm: number;
  results: number[];
}

function child(): void {
  const side = arg('child', 'ours');
  const hours = Number(arg('hours', '1'));
  const inputs = instants(Number(arg('count', '256')), Number(arg('seed', '1')));
  const warmBudget = Number(arg('warm-ms', '300'));
  let add: (from: number) => number;
  // The platform's data for the zone, as the peer's process (TZ=America/New_York) has it loaded.
  new Intl.DateTimeFormat('en-US', { timeZone: spec.timezone }).format(0);
  if (side === 'ours') {
    const warm = new BusinessCalendar(warmSpec);
    for (const from of instants(64, 999)) {
      for (const h of [1, 40, 2000]) warm.add(from + 4 * 365 * 24 * H, h * H);
    }
    const cal = new BusinessCalendar(spec);
    add = (from) => cal.add(from, hours * H);
  } else {
    for (const from of instants(16, 999)) peerAdd(from + 4 * 365 * 24 * H, hours >= 2000 ? 40 : hours);
    if (hours >= 2000) peerAdd(instants(1, 998)[0] as number, hours);
    add = (from) => peerAdd(from, hours);
  }
  const results: number[] = [];
  const t0 = process.hrtime.bigint();
  results.push(add(inputs[0] as number));
  const t1 = process.hrtime.bigint();
  for (let i = 1; i < inputs.length; i++) results.push(add(inputs[i] as number));
  const t2 = process.hrtime.bigint();
  const warm = warmBudget > 0 ? measure(inputs, add, warmBudget, 3) : NaN;
  const out: ChildResult = { cold: Number(t2 - t0) / inputs.length, first: Number(t1 - t0), warm, results };
  process.stdout.write(JSON.stringify(out));
}

function run(side: string, hours: number, count: number, seed: number, warmMs: number): ChildResult {
  const r = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      side,
      '--hours',
      String(hours),
      '--count',
      String(count),
      '--seed',
      String(seed),
      '--warm-ms',
      String(warmMs),
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`child ${side} ${hours} h failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const fmt = (ns: number): string =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
const ratio = (a: number, b: number): string => `${Math.round(a / b).toLocaleString('en-US')}×`;

function main(): void {
  const procs = Number(arg('procs', '3'));
  console.log(
    `node ${process.version}, us-business, distinct start instants on whole minutes through 2026; median of ${procs} fresh processes per cell`,
  );
  const header = [
    'add',
    'inputs (each side)',
    'ours cold',
    'peer cold',
    'peer / ours cold',
    'ours first call',
    'peer first call',
    'ours warm',
    'peer warm',
    'peer / ours warm',
    'same result',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const [hours, count] of [
    [1, 256],
    [40, 256],
    [2000, 16],
  ] as const) {
    const ours: ChildResult[] = [];
    const peer: ChildResult[] = [];
    let agree = 0;
    let total = 0;
    for (let p = 0; p < procs; p++) {
      const o = run('ours', hours, count, p + 1, 300);
      const q = run('peer', hours, count, p + 1, hours >= 2000 ? 0 : 300);
      ours.push(o);
      peer.push(q);
      o.results.forEach((x, i) => {
        total++;
        if (x === q.results[i]) agree++;
      });
    }
    const oc = median(ours.map((r) => r.cold));
    const pc = median(peer.map((r) => r.cold));
    const ow = median(ours.map((r) => r.warm));
    const pw = hours >= 2000 ? pc : median(peer.map((r) => r.warm));
    const row = [
      `${hours.toLocaleString('en-US')} h`,
      String(count),
      fmt(oc),
      fmt(pc),
      ratio(pc, oc),
      fmt(median(ours.map((r) => r.first))),
      fmt(median(peer.map((r) => r.first))),
      fmt(ow),
      hours >= 2000 ? `${fmt(pw)} (= cold)` : fmt(pw),
      ratio(pw, ow),
      `${agree}/${total}`,
    ];
    console.log(`| ${row.join(' | ')} |`);
  }

  console.log(
    '\nOurs as the duration grows, 256 distinct inputs per fresh process (median of the processes):',
  );
  const growth: string[] = [];
  for (const hours of [1, 40, 2000, 10_000, 100_000]) {
    const rs = Array.from({ length: procs }, (_, p) => run('ours', hours, 256, p + 1, 300));
    growth.push(
      `${hours.toLocaleString('en-US')} h: cold ${fmt(median(rs.map((r) => r.cold)))}, first call ${fmt(median(rs.map((r) => r.first)))}, warm ${fmt(median(rs.map((r) => r.warm)))}`,
    );
  }
  console.log(growth.join('\n'));
}

if (process.argv.includes('--child')) child();
else main();
