/**
 * The crash campaign of issue 16 (item 2), bigger than the suite's (test/crash/*.test.ts): real
 * `escalon serve` processes (node bin/escalon.js serve — the compiled server) under HTTP load,
 * killed, stopped, cut off from the database, with the database restarted; then every figure
 * from the database and a real SMTP server in this process (test/crash/serve-cluster.ts):
 * acknowledged tickets lost, timer events (SLA warnings, breaches, escalations, notifications
 * queued) lost and doubled against the engine's own account (`Simulation`), mails undelivered and
 * resent (same Message-ID), and the firing lateness (recorded_at − due: median and latest).
 *
 *   npx tsx bench/crash-campaign.bench.ts [--tickets N] [--rate PER_S] [--seed S] [--only NAME,…]
 *
 * Campaigns (NAME): sqlite-kill (one node SIGKILLed and restarted), pg2-kill, pg3-kill (two and
 * three nodes, one SIGKILLed at a time), pg3-term (a rolling restart: SIGTERM and restart, one at
 * a time), pg3-restart (PostgreSQL stopped `-m immediate` and started, twice), pg3-cut (node 0's
 * connection to PostgreSQL cut through a TCP proxy for 5 s, twice). PostgreSQL campaigns run on
 * a PRIVATE cluster this script creates (initdb + pg_ctl, port 42432, under the temp directory;
 * as the postgres user when run as root) and removes. Nodes listen on 42500–42520; the proxy on
 * 42530. Prints one JSON line and one Markdown row per campaign.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CuttableProxy,
  ensureBuilt,
  prepareDatabase,
  PrivatePg,
  runFaultCampaign,
  runKillCampaign,
  sleep,
  startSmtpSink,
  type Figures,
  type LoadResult,
} from '../test/crash/serve-cluster.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const TICKETS = Number(opt('tickets', '240'));
const RATE = Number(opt('rate', '6'));
const SEED = Number(opt('seed', '20261126'));
const ONLY = opt('only', '').split(',').filter(Boolean);
const log = (l: string) => process.stderr.write(`[crash-campaign] ${l}\n`);

interface Row {
  name: string;
  nodes: number;
  faults: string;
  load: LoadResult;
  f: Figures;
  wallMs: number;
}
const rows: Row[] = [];

function report(r: Row): void {
  rows.push(r);
  const f = r.f;
  console.log(JSON.stringify({ campaign: r.name, nodes: r.nodes, faults: r.faults, sent: r.load.sent, refused: r.load.refused, ...f, wallMs: Math.round(r.wallMs) }));
}

async function main(): Promise<void> {
  await ensureBuilt();
  const sink = await startSmtpSink();
  const pg = new PrivatePg(42432);
  const want = (n: string) => ONLY.length === 0 || ONLY.includes(n);
  const needPg = ['pg2-kill', 'pg3-kill', 'pg3-term', 'pg3-restart', 'pg3-cut'].some(want);
  try {
    if (needPg) pg.init();
    const freshPg = async () => prepareDatabase(await pg.createDatabase(`escalon_campaign_${randomBytes(4).toString('hex')}`));
    const kills = Math.max(4, Math.round(TICKETS / RATE / 2.5));

    if (want('sqlite-kill')) {
      const dir = mkdtempSync(join(tmpdir(), 'escalon-campaign-'));
      try {
        const p = await prepareDatabase(`sqlite:${join(dir, 'escalon.db')}`);
        sink.received.length = 0;
        const r = await runKillCampaign(p, sink, { nodes: 1, tickets: TICKETS, perSecond: RATE, kills, gapMs: [1500, 3500], downMs: 300, seed: SEED, basePort: 42500, log });
        report({ name: 'sqlite-kill', nodes: 1, faults: `${r.kills} SIGKILL (${r.killsHoldingTimers}/${r.killsHoldingMail} holding timer/mail claims)`, load: r.load, f: r.figures, wallMs: r.wallMs });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const [name, nodes, signal] of [
      ['pg2-kill', 2, 'kill'],
      ['pg3-kill', 3, 'kill'],
      ['pg3-term', 3, 'term'],
    ] as const) {
      if (!want(name)) continue;
      const p = await freshPg();
      sink.received.length = 0;
      const r = await runKillCampaign(p, sink, { nodes, tickets: TICKETS, perSecond: RATE, kills, gapMs: [1500, 3500], downMs: 800, seed: SEED + nodes, basePort: 42500, signal, log });
      report({ name, nodes, faults: `${r.kills} ${signal === 'term' ? 'SIGTERM' : 'SIGKILL'} (${r.killsHoldingTimers}/${r.killsHoldingMail} left timer/mail claims)`, load: r.load, f: r.figures, wallMs: r.wallMs });
    }
    if (want('pg3-restart')) {
      const p = await freshPg();
      sink.received.length = 0;
      const span = (TICKETS / RATE) * 1000;
      const r = await runFaultCampaign(p, sink, {
        urls: [p.url, p.url, p.url],
        tickets: TICKETS,
        perSecond: RATE,
        basePort: 42500,
        faultAfterMs: span / 4,
        fault: async () => {
          for (let i = 0; i < 2; i++) {
            log(`PostgreSQL stop -m immediate (${i + 1})`);
            pg.stop('immediate');
            await sleep(3_000);
            pg.start();
            await sleep(span / 4);
          }
        },
        log,
      });
      if (r.died.length) log(`nodes died: ${r.died.join('\n')}`);
      report({ name: 'pg3-restart', nodes: 3, faults: `PostgreSQL killed (-m immediate) and restarted twice, 3 s down; nodes that exited: ${r.died.length}`, load: r.load, f: r.figures, wallMs: r.wallMs });
    }
    if (want('pg3-cut')) {
      const p = await freshPg();
      sink.received.length = 0;
      const proxy = new CuttableProxy(42530, { host: '127.0.0.1', port: 42432 });
      await proxy.start();
      try {
        const via = new URL(p.url);
        via.host = `127.0.0.1:${proxy.port}`;
        const span = (TICKETS / RATE) * 1000;
        const r = await runFaultCampaign(p, sink, {
          urls: [via.toString(), p.url, p.url],
          tickets: TICKETS,
          perSecond: RATE,
          basePort: 42500,
          faultAfterMs: span / 4,
          fault: async () => {
            for (let i = 0; i < 2; i++) {
              log(`node 0 cut off (${i + 1})`);
              proxy.cut();
              await sleep(5_000);
              proxy.restore();
              await sleep(span / 4);
            }
          },
          log,
        });
        if (r.died.length) log(`nodes died: ${r.died.join('\n')}`);
        report({ name: 'pg3-cut', nodes: 3, faults: `node 0's database connections reset, 5 s refused, twice; nodes that exited: ${r.died.length}`, load: r.load, f: r.figures, wallMs: r.wallMs });
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await sink.close();
    if (needPg) pg.destroy();
  }
  const [l1, l5, l15] = loadavg().map((x) => x.toFixed(2));
  console.log(`\n${new Date().toISOString()} — load average ${l1} ${l5} ${l15}; ${TICKETS} tickets per campaign at ${RATE}/s, seed ${SEED}\n`);
  console.log('| campaign | nodes | faults | acknowledged / sent | acknowledged lost | timer events (expected) | lost | doubled | mails | undelivered | resent (same Message-ID) | firing lateness median / latest |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const f = r.f;
    console.log(`| ${r.name} | ${r.nodes} | ${r.faults} | ${f.acked} / ${r.load.sent} | ${f.lostAcked} | ${f.timerEventsExpected} | ${f.timerEventsLost} | ${f.timerEventsDoubled} | ${f.outboxRows} | ${f.mailsUndelivered + f.mailsMissing} | ${f.mailsResentCopies} (${f.mailsResentIds} ids) | ${f.medianFiringMs} ms / ${(f.latestFiringMs / 1000).toFixed(1)} s |`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
