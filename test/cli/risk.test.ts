// `escalon risk train|score|evaluate` as a user runs them: child processes on a small synthetic workload.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrainFlags, trainFromFiles } from '../../src/cli/risk.ts';
import { CliError } from '../../src/cli/simulate.ts';
import { riskWorkload, toJsonl } from '../helpers/risk-workload.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'escalon-risk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function escalon(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = riskWorkload(140, 11);
const WORKLOAD = join(dir, 'w.jsonl');
const LABELS = join(dir, 'labels.json');
const MODEL = join(dir, 'model.json');
writeFileSync(WORKLOAD, toJsonl(fixture.json));
writeFileSync(LABELS, JSON.stringify(fixture.labels));

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
}

// Each command is a child process (a few seconds each on a loaded machine).
describe('escalon risk', { timeout: 240_000 }, () => {
  let trainOut: ReturnType<typeof escalon>;
  beforeAll(() => {
    trainOut = escalon(['risk', 'train', '--workload', WORKLOAD, '--labels', LABELS, '--out', MODEL, '--train-share', '0.7', '--seed', '5'], {
      SOURCE_DATE_EPOCH: '1767225600',
    });
  }, 240_000);

  it('train writes a model and reports the validation AUC', () => {
    expect(trainOut.code, trainOut.stderr).toBe(0);
    expect(trainOut.stderr).toMatch(/trained on 98 tickets/);
    expect(trainOut.stderr).toMatch(/validation .*AUC \d\.\d{3}/);
    const model = JSON.parse(readFileSync(MODEL, 'utf8')) as { kind: string; meta: { trainedAt: string; tickets: number } };
    expect(model.kind).toBe('escalon-risk-model');
    expect(model.meta.trainedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(model.meta.tickets).toBe(98);
  });

  it('score writes one line per input line: ticket, at, seen, risk, reasons', () => {
    const out = join(dir, 'scores.jsonl');
    const r = escalon(['risk', 'score', '--model', MODEL, '--workload', WORKLOAD, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(fixture.json.length);
    const seen = new Map<string, number>();
    lines.forEach((l, i) => {
      expect(Object.keys(l)).toEqual(['ticket', 'at', 'seen', 'risk', 'reasons']);
      expect(l.ticket).toBe(fixture.json[i]!.ticket);
      expect(l.at).toBe(fixture.json[i]!.at);
      const n = (seen.get(l.ticket as string) ?? 0) + 1;
      seen.set(l.ticket as string, n);
      expect(l.seen).toBe(n);
      expect(l.risk).toBeGreaterThanOrEqual(0);
      expect(l.risk).toBeLessThanOrEqual(1);
      const reasons = l.reasons as { feature: string; effect: number }[];
      expect(reasons.length).toBeGreaterThan(0);
      for (const reason of reasons) expect(Object.keys(reason)).toEqual(['feature', 'effect']);
    });
    // Without --out the same lines go to standard output.
    const std = escalon(['risk', 'score', '--model', MODEL, '--workload', WORKLOAD]);
    expect(std.stdout).toBe(readFileSync(out, 'utf8'));
  });

  it('evaluate reports the tickets after the training data, AUC at 1/2/4/8 lines, recall and calibration', () => {
    const r = escalon(['risk', 'evaluate', '--model', MODEL, '--workload', WORKLOAD, '--labels', LABELS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/42 tickets opened after the model's training data/);
    expect(r.stdout).toMatch(/1 \(opening\)/);
    expect(r.stdout).toMatch(/recall@10%/);
    expect(r.stdout).toMatch(/Brier/);
    const j = escalon(['risk', 'evaluate', '--model', MODEL, '--workload', WORKLOAD, '--labels', LABELS, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const e = JSON.parse(j.stdout) as { tickets: number; checkpoints: { lines: number; tickets: number; rocAuc: number | null; recall: Record<string, number> }[]; reliability: unknown[] };
    expect(e.tickets).toBe(42);
    expect(e.checkpoints.map((c) => c.lines)).toEqual([1, 2, 4, 8]);
    expect(e.checkpoints[0]!.tickets).toBe(42);
    expect(e.checkpoints[0]!.rocAuc).toBeGreaterThan(0.5);
    expect(Object.keys(e.checkpoints[0]!.recall)).toEqual(['10%', '20%', '30%']);
    expect(e.reliability).toHaveLength(10);
  });

  const bad = (args: string[], pattern: RegExp) => {
    const r = escalon(args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(pattern);
    noStack(r.stderr);
  };

  it('refuses a missing file or a bad workload line with one clear line and exit status 1', () => {
    bad(['risk', 'score', '--model', join(dir, 'nope.json'), '--workload', WORKLOAD], /cannot read model .*nope\.json: no such file/);
    bad(['risk', 'score', '--model', MODEL, '--workload', join(dir, 'nope.jsonl')], /cannot read workload .*: no such file/);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, toJsonl(fixture.json.slice(0, 3)) + '{"at": oops\n');
    bad(['risk', 'score', '--model', MODEL, '--workload', broken], /broken\.jsonl:4: not valid JSON/);
  });

  it('refuses labels that miss a ticket and a model file of another kind', () => {
    const partial = join(dir, 'partial.json');
    const { T0005: _dropped, ...rest } = fixture.labels;
    writeFileSync(partial, JSON.stringify(rest));
    bad(['risk', 'train', '--workload', WORKLOAD, '--labels', partial, '--out', join(dir, 'm2.json')], /no outcome for 1 training ticket.*T0005/);
    bad(['risk', 'evaluate', '--model', MODEL, '--workload', WORKLOAD, '--labels', partial, '--all'], /no outcome for 1 ticket.*T0005/);
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ version: 1, teams: [] }));
    bad(['risk', 'score', '--model', foreign, '--workload', WORKLOAD], /not an Escalon risk model.*escalon risk train/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'teams: []\n');
    bad(['risk', 'evaluate', '--model', notJson, '--workload', WORKLOAD, '--labels', LABELS], /is not valid JSON/);
  });

  it('refuses bad options and bad labels (in process: the same functions the commands run)', async () => {
    const refused = async (flags: Partial<TrainFlags>, pattern: RegExp) => {
      const run = trainFromFiles({ workload: WORKLOAD, labels: LABELS, out: join(dir, 'm3.json'), progress: false, ...flags }, process.stderr);
      await expect(run).rejects.toThrow(CliError);
      await expect(trainFromFiles({ workload: WORKLOAD, labels: LABELS, out: join(dir, 'm3.json'), progress: false, ...flags }, process.stderr)).rejects.toThrow(pattern);
    };
    await refused({ trainShare: '2' }, /--train-share 2: give a share/);
    await refused({ openedBefore: 'yesterday' }, /--opened-before yesterday/);
    await refused({ openedBefore: '2026-01-06T00:00:00Z', trainShare: '0.5' }, /not both/);
    await refused({ seed: 'x' }, /--seed x/);
    await refused({ target: 'escalation' }, /--target escalation needs --from-db/);
    writeFileSync(join(dir, 'labels-bad.json'), JSON.stringify({ T0001: 'yes' }));
    await refused({ labels: join(dir, 'labels-bad.json') }, /T0001 has "yes"/);
    writeFileSync(join(dir, 'labels-list.json'), '[true]');
    await refused({ labels: join(dir, 'labels-list.json') }, /expected an object/);
  });
});

describe('escalon risk train --from-db', { timeout: 240_000 }, () => {
  it('trains on the finished tickets of the database, for either target', () => {
    const env = { ESCALON_DATABASE_URL: `sqlite:${join(dir, 'escalon.db')}` };
    expect(escalon(['migrate'], env).code).toBe(0);
    const seeded = escalon(['seed', '--demo'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    for (const target of ['breach', 'escalation']) {
      const out = join(dir, `db-${target}.json`);
      const r = escalon(['risk', 'train', '--from-db', '--target', target, '--out', out], { ...env, SOURCE_DATE_EPOCH: '1767225600' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/trained on \d+ tickets/);
      const model = JSON.parse(readFileSync(out, 'utf8')) as { meta: { target: string; tickets: number } };
      expect(model.meta.target).toBe(target);
      expect(model.meta.tickets).toBeGreaterThan(20);
    }
    const wrong = escalon(['risk', 'train', '--from-db', '--target', 'churn', '--out', join(dir, 'x.json')], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--target churn: use breach or escalation/);
    const both = escalon(['risk', 'train', '--from-db', '--workload', WORKLOAD, '--out', join(dir, 'x.json')], env);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/give no --workload/);
  });
});
