/**
 * Business-time `add` on the reference us-business calendar (America/New_York, 09-12 + 13-17
 * Monday to Friday, three holidays): ours vs dayjs + dayjs-business-time on the same inputs.
 *
 *   npx tsx bench/calendar.bench.ts
 *
 * dayjs-business-time works in the process's local zone, so the process runs in New York time.
 */
process.env.TZ = 'America/New_York';

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

/** 256 start instants on whole minutes through 2026 (deterministic LCG), in and out of hours. */
const inputs: number[] = [];
let seed = 42;
for (let i = 0; i < 256; i++) {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  inputs.push(
    Date.parse('2026-01-01T00:00:00-05:00') + Math.floor((seed / 2 ** 31) * 364 * 24 * 60) * 60_000,
  );
}

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

const fmt = (ns: number): string =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
const peerAdd = (from: number, hours: number): number =>
  dayjs(from).addBusinessTime(hours, 'hours').valueOf();

// Warm the JIT (both sides, every path) on another calendar instance and other dates, so that
// "cold" below measures an empty day cache, not compilation.
const warm = new BusinessCalendar(spec);
for (const from of inputs.slice(0, 64)) {
  for (const hours of [1, 40, 2000]) {
    warm.add(from - 2 * 365 * 24 * H, hours * H);
    if (hours < 2000) peerAdd(from, hours);
  }
}

const cal = new BusinessCalendar(spec);
console.log(
  `node ${process.version}, ${inputs.length} start instants on whole minutes through 2026, calendar us-business`,
);
const header = [
  'add',
  'ours (warm)',
  'dayjs-business-time',
  'peer / ours',
  'ours, first call (cold cache)',
  'same result',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const hours of [1, 40, 2000]) {
  // Cold: a fresh calendar, first call per input (zone offsets computed, days cached).
  const cold = new BusinessCalendar(spec);
  const coldStart = process.hrtime.bigint();
  for (const from of inputs) cold.add(from, hours * H);
  const coldNs = Number(process.hrtime.bigint() - coldStart) / inputs.length;

  const ours = measure(inputs, (from) => cal.add(from, hours * H), 500, 3);
  // The peer takes ~0.1 s per 2,000 h call: give it the first 32 inputs there.
  const peerSet = hours >= 2000 ? inputs.slice(0, 32) : inputs;
  const peer = measure(peerSet, (from) => peerAdd(from, hours), 1000, 1);
  let agree = 0;
  for (const from of peerSet) if (cal.add(from, hours * H) === peerAdd(from, hours)) agree++;
  const row = [
    `${hours} h`,
    fmt(ours),
    fmt(peer),
    `${Math.round(peer / ours).toLocaleString('en-US')}×`,
    fmt(coldNs),
    `${agree}/${peerSet.length}`,
  ];
  console.log(`| ${row.join(' | ')} |`);
}

console.log('\nOur cost as the duration grows (warm, best of 3):');
const growth: string[] = [];
for (const hours of [1, 10, 100, 1000, 10_000, 100_000]) {
  growth.push(
    `${hours.toLocaleString('en-US')} h: ${fmt(measure(inputs, (from) => cal.add(from, hours * H), 300, 3))}`,
  );
}
console.log(growth.join(' · '));
