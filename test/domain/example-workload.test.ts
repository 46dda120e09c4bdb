// The example workload of examples/ must produce exactly its expected lines
// (workload.example.expected.json: every `want` matched, no `never` matched).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { parseWorkloadLine } from '../../src/domain/workload.ts';

const EXAMPLES = new URL('../../examples/', import.meta.url);
type Line = Record<string, unknown> & { at: string; ticket: string; type: string };
interface Expectation {
  want: Array<Record<string, string>>;
  never: Array<Record<string, unknown>>;
}

function runExample(): Line[] {
  const parsed = parsePolicy(readFileSync(new URL('escalon.policy.yaml', EXAMPLES), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const out: Line[] = [];
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => out.push(toOutputLine(e) as Line));
  const text = readFileSync(new URL('workload.example.jsonl', EXAMPLES), 'utf8').trim().split('\n');
  text.forEach((t, i) => {
    const line = parseWorkloadLine(t, i + 1);
    if (!line.ok) throw new Error(line.message);
    sim.input(line.value);
  });
  sim.finish(sim.lastInputAt + 30 * 24 * 3600 * 1000);
  return out;
}

function matches(line: Line, spec: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'at') {
      if (Math.abs(Date.parse(line.at) - Date.parse(String(v))) > 1000) return false;
    } else if (k === 'between') {
      const [from, to] = v as [string, string];
      const at = Date.parse(line.at);
      if (at < Date.parse(from) || at > Date.parse(to)) return false;
    } else if (k === 'due') {
      if (typeof line.due !== 'string' || Date.parse(line.due) !== Date.parse(String(v))) return false;
    } else if (line[k] !== v) return false;
  }
  return true;
}

describe('example workload with the reference policy', () => {
  const expected = JSON.parse(readFileSync(new URL('workload.example.expected.json', EXAMPLES), 'utf8')) as Expectation;
  const lines = runExample();

  it.each(expected.want.map((w) => [`${w.at} ${w.type} ${w.metric ?? w.rule ?? ''} ${w.threshold ?? ''}`, w]))(
    'produces %s',
    (_name, want) => {
      expect(lines.some((l) => matches(l, want))).toBe(true);
    },
  );

  it.each(expected.never.map((n, i) => [i, n]))('never produces forbidden line #%s', (_i, never) => {
    expect(lines.filter((l) => matches(l, never))).toEqual([]);
  });

  it('emits lines in time order with UTC instants and the input events themselves', () => {
    const ats = lines.map((l) => Date.parse(l.at));
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    expect(lines.every((l) => l.at.endsWith('Z'))).toBe(true);
    expect(lines.filter((l) => l.type === 'comment.added').map((l) => l.author_role)).toEqual(['agent', 'customer']);
    expect(lines.filter((l) => l.type === 'status.changed').map((l) => l.status)).toEqual(['open', 'pending', 'open']);
  });

  it('fires the idle rule exactly once, at 12:20, for the quiet period after the 10:20 comment', () => {
    const idle = lines.filter((l) => l.rule === 'idle-urgent' && l.type === 'notification.queued');
    expect(idle.map((l) => l.at)).toEqual(['2026-12-01T12:20:00.000Z']);
  });
});

// The repository carries its own copies of the contract's examples and data; when the
// originals are beside the checkout (the team's machines), the copies must not have drifted.
// Elsewhere (a clean clone) the check is not registered rather than skipped.
const ORIGINALS = new URL('../../../shared/', import.meta.url);
if (existsSync(ORIGINALS)) describe('the repository copies of the examples and data', () => {
  it.each([
    ['examples/escalon.policy.yaml', 'examples/escalon.policy.yaml'],
    ['examples/workload.example.jsonl', 'examples/workload.example.jsonl'],
    ['examples/workload.example.expected.json', 'examples/workload.example.expected.json'],
    ['examples/data/servicenow-incidents-train.csv.gz', 'data/servicenow-incidents-train.csv.gz'],
  ])('%s is the original', (copy, original) => {
    expect(readFileSync(new URL(`../../${copy}`, import.meta.url)).equals(readFileSync(new URL(original, ORIGINALS)))).toBe(true);
  });
});
