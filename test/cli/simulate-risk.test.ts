// `escalon simulate --model` (issue 14) with test doubles of the risk module: scores after
// each line and timer firing go through the engine; without --model the output is unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, simulate } from '../../src/cli/simulate.ts';
import { doubleDeps, modelFile } from '../helpers/risk-doubles.ts';

const ROOT = new URL('../../', import.meta.url);
const POLICY = new URL('examples/escalon.policy.yaml', ROOT).pathname;
const WORKLOAD = new URL('examples/workload.example.jsonl', ROOT).pathname;
const dir = mkdtempSync(join(tmpdir(), 'escalon-simulate-risk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function run(opts: Record<string, unknown>, deps = doubleDeps()) {
  const out = sink();
  const err = sink();
  const summary = await simulate({ policy: POLICY, workload: WORKLOAD, progress: false, ...opts } as never, out.stream, err.stream, deps);
  return { summary, lines: out.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), text: out.text() };
}

const RISK_POLICY = join(dir, 'risk.policy.yaml');
// The reference policy with its risk rule switched on.
const REFERENCE = readFileSync(new URL('policies/reference.policy.yaml', ROOT), 'utf8');
writeFileSync(RISK_POLICY, REFERENCE.replace('  - id: likely-to-breach\n    enabled: false\n', '  - id: likely-to-breach\n'));

describe('escalon simulate --model', () => {
  it('the test policy differs from the reference only by the switch', () => {
    expect(readFileSync(RISK_POLICY, 'utf8')).not.toBe(REFERENCE);
  });

  it('without --model the output is byte-identical whether or not risk models are available', async () => {
    const withDeps = await run({});
    const without = await run({}, null as never);
    expect(withDeps.text).toBe(without.text);
    expect(withDeps.text).not.toContain('risk.changed');
  });

  it('scores every ticket; band crossings come out as risk.changed with the score and reasons', async () => {
    const model = join(dir, 'model.json');
    writeFileSync(model, JSON.stringify(modelFile('double-1')));
    const { lines, summary } = await run({ model });
    const changed = lines.filter((l) => l.type === 'risk.changed');
    expect(changed.length).toBeGreaterThan(0);
    const t1 = changed.find((l) => l.ticket === 'T1');
    // T1 is urgent: the double gives 0.8, high from its creation.
    expect(t1).toMatchObject({ at: '2026-12-01T10:00:00.000Z', from: null, to: 'high', risk: 0.8, model: 'double-1' });
    expect((t1?.reasons as unknown[]).length).toBeGreaterThan(0);
    // Each ticket crosses once at most here (priority drives the double's score).
    const tickets = new Set(changed.map((l) => l.ticket));
    expect(tickets.size).toBe(changed.filter((l) => l.from === null).length);
    expect(summary.events).toBe(lines.length);
  });

  it('a policy with an enabled risk rule escalates on the score, the why carrying score and reasons', async () => {
    const model = join(dir, 'model2.json');
    writeFileSync(model, JSON.stringify(modelFile('double-2')));
    const { lines } = await run({ model, policy: RISK_POLICY });
    const esc = lines.find((l) => l.type === 'ticket.escalated' && l.rule === 'likely-to-breach');
    expect(esc).toMatchObject({ ticket: 'T1', at: '2026-12-01T10:00:00.000Z', reason: 'sla_risk' });
    expect(esc?.explanation).toMatchObject({ trigger: 'risk.changed', risk: { score: 0.8, band: 'high', model: 'double-2' } });
    // The same policy without the model: the rule never fires.
    const plain = await run({ policy: RISK_POLICY });
    expect(plain.lines.some((l) => l.rule === 'likely-to-breach')).toBe(false);
  });

  it('refuses a missing, non-JSON or bad model file, naming it', async () => {
    await expect(run({ model: join(dir, 'nope.json') })).rejects.toThrow(/cannot read model .*nope\.json/);
    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, '{oops');
    await expect(run({ model: notJson })).rejects.toThrow(/bad\.json is not valid JSON/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, '{"weights": []}');
    await expect(run({ model: wrong })).rejects.toThrow(new CliError(`model ${wrong}: not a risk model file: expected { "double": true, "id": ... }`));
    await expect(run({ model: wrong }, null as never)).rejects.toThrow('--model: this build of Escalon has no risk models');
  });
});
