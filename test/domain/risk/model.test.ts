import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/domain/policy/parse.ts';
import type { Policy } from '../../../src/domain/policy/types.ts';
import { type RiskScore, riskBand } from '../../../src/domain/risk/api.ts';
import { loadRiskModel, RiskModelError } from '../../../src/domain/risk/model.ts';
import type { WorkloadLine } from '../../../src/domain/workload.ts';
import { replay } from '../../../src/risk/replay.ts';
import { trainRiskModel } from '../../../src/risk/train.ts';
import { riskWorkload } from '../../helpers/risk-workload.ts';

const policyText = readFileSync(fileURLToPath(new URL('../../../policies/reference.policy.yaml', import.meta.url)), 'utf8');
const parsed = parsePolicy(policyText, { format: 'yaml' });
if (!parsed.ok) throw new Error('reference policy does not parse');
const policy: Policy = parsed.policy;
const fixture = riskWorkload(160, 7);
const trainedAt = new Date('2026-03-01T00:00:00Z');

function train(seed = 3, lines: readonly WorkloadLine[] = fixture.lines, cut: number | null = null) {
  return trainRiskModel({ lines, bad: fixture.bad, policy, target: 'breach', seed, cut, trainedAt });
}

const trained = train();
const model = loadRiskModel(JSON.parse(trained.json));

function scoreAll(lines: readonly WorkloadLine[]): { key: string; score: RiskScore }[] {
  const out: { key: string; score: RiskScore }[] = [];
  replay(lines, { policy, onLine: ({ line, seen, subject }) => out.push({ key: `${line.ref}#${seen}`, score: model.score(subject) }) });
  return out;
}

describe('risk model training', () => {
  it('is deterministic: same data and seed give the same model file, byte for byte', () => {
    const again = train();
    expect(again.json).toBe(trained.json);
    expect(again.file.meta.id).toMatch(/^sha256:[0-9a-f]{32}$/);
    const other = train(4);
    expect(other.file.meta.id).not.toBe(trained.file.meta.id);
  });

  it('records what it was trained on and validates on the latest tickets', () => {
    const meta = model.meta;
    expect(meta.target).toBe('breach');
    expect(meta.tickets).toBe(160);
    expect(meta.trainedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(meta.validation.tickets).toBe(32);
    // The fixture has real signal: the validation slice is ranked well above chance.
    expect(meta.validation.auc).toBeGreaterThan(0.7);
  });

  it('trains only on tickets opened before the cut; trainedThrough is the latest of them', () => {
    const cut = fixture.lines.filter((l) => l.input.type === 'ticket.created')[100]!.at;
    const r = train(3, fixture.lines, cut);
    expect(r.file.meta.tickets).toBe(100);
    expect(Date.parse(r.file.meta.trainedThrough)).toBeLessThan(cut);
  });

  it('refuses labels that miss a training ticket, naming it', () => {
    const bad = new Map(fixture.bad);
    bad.delete('T0003');
    expect(() => trainRiskModel({ lines: fixture.lines, bad, policy, target: 'breach', seed: 1, cut: null, trainedAt })).toThrow(/T0003/);
  });
});

describe('risk scores', () => {
  const all = scoreAll(fixture.lines);

  it('gives every line a probability, its band and non-empty reasons, largest effect first', () => {
    expect(all).toHaveLength(fixture.lines.length);
    for (const { score } of all) {
      expect(score.risk).toBeGreaterThanOrEqual(0);
      expect(score.risk).toBeLessThanOrEqual(1);
      expect(score.band).toBe(riskBand(score.risk));
      expect(score.reasons.length).toBeGreaterThan(0);
      expect(score.reasons.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < score.reasons.length; i++) {
        expect(Math.abs(score.reasons[i - 1]!.effect)).toBeGreaterThanOrEqual(Math.abs(score.reasons[i]!.effect));
      }
      for (const r of score.reasons) {
        expect(typeof r.feature).toBe('string');
        expect(r.feature.length).toBeGreaterThan(3);
        expect(Number.isFinite(r.effect)).toBe(true);
        expect(Math.round(r.effect * 1000) / 1000).toBe(r.effect);
      }
    }
  });

  it('never changes an earlier score when later events are appended (its own or other tickets)', () => {
    const cutAt = fixture.lines[Math.floor(fixture.lines.length / 2)]!.at;
    const prefix = fixture.lines.filter((l) => l.at <= cutAt);
    const early = scoreAll(prefix);
    // The full workload appends each ticket's own future and other tickets' lines.
    expect(all.slice(0, early.length)).toEqual(early);
    // And future events no real log had: reassignments, escalations and reopenings of open tickets.
    const open = [...new Set(prefix.map((l) => l.ref))].slice(-10);
    const extra: WorkloadLine[] = open.flatMap((ref, i): WorkloadLine[] => [
      { line: 0, at: cutAt + (i + 1) * 60_000, ref, input: { type: 'ticket.assigned', assignee: `someone-${i}` } },
      { line: 0, at: cutAt + (i + 1) * 60_000, ref, input: { type: 'comment.added', author: 'customer', public: true, body: 'This is unacceptable, I will cancel.' } },
      { line: 0, at: cutAt + (i + 1) * 60_000, ref, input: { type: 'ticket.escalated', toLevel: 'L2', reason: 'technical_complexity' } },
    ]);
    const withFuture = scoreAll([...prefix, ...extra]);
    expect(withFuture.slice(0, early.length)).toEqual(early);
  });

  it('scores a ticket with later changes differently from its opening (the model reads the process)', () => {
    const risks = new Set(all.map((s) => s.score.risk));
    expect(risks.size).toBeGreaterThan(5);
  });
});

describe('loadRiskModel', () => {
  it('refuses a file of another kind, saying what is wrong and how to fix it', () => {
    expect(() => loadRiskModel({ version: 1, rules: [] })).toThrow(RiskModelError);
    expect(() => loadRiskModel({ version: 1, rules: [] })).toThrow(/not an Escalon risk model.*escalon risk train/);
    expect(() => loadRiskModel([1, 2])).toThrow(/not a JSON object/);
    expect(() => loadRiskModel(null)).toThrow(RiskModelError);
  });

  it('refuses another model version and a model trained on other features', () => {
    const file = JSON.parse(trained.json) as Record<string, unknown>;
    expect(() => loadRiskModel({ ...file, version: 99 })).toThrow(/version 99 is not supported/);
    expect(() => loadRiskModel({ ...file, features: ['a', 'b'] })).toThrow(/other features/);
    expect(() => loadRiskModel({ ...file, forests: [{ name: 'nope' }] })).toThrow(/forest does not load/);
    expect(() => loadRiskModel({ ...file, calibration: { x: [], y: [] } })).toThrow(/calibration/);
  });
});
