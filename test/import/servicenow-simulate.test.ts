// What the importer carries beyond the engine's needs (assignment groups, tags of the log's
// impact / urgency / subcategory / symptom / configuration item) changes nothing `escalon
// simulate` does with the reference policies: on a deterministic slice of the real log (its
// first 3,000 incidents, in file order), the events are exactly those of the workload without
// that information — the importer's output before groups were carried (checked by hand to be
// byte for byte the old importer's output on the whole file) — except the tags on
// `ticket.created`.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { parseWorkloadLine } from '../../src/domain/workload.ts';
import { readServiceNowLog } from '../../src/import/servicenow.ts';
import type { WorkloadLine } from '../../src/import/servicenow-convert.ts';

const ROOT = new URL('../../', import.meta.url);
const INCIDENTS = 3_000;

type Out = Record<string, unknown> & { type: string };

/** The workload as the importer wrote it before it carried groups and tags. */
function withoutGroups(lines: readonly WorkloadLine[]): WorkloadLine[] {
  const named = new Map<string, string | null>();
  const out: WorkloadLine[] = [];
  for (const line of lines) {
    if (line.type === 'ticket.created') {
      const { tags: _tags, group: _group, ...rest } = line;
      named.set(line.ticket, line.assignee ?? null);
      out.push(rest);
    } else if (line.type === 'ticket.assigned') {
      if (line.group !== undefined && named.get(line.ticket) === line.assignee) continue;
      const { group: _group, ...rest } = line;
      named.set(line.ticket, line.assignee);
      out.push(rest);
    } else out.push(line);
  }
  return out;
}

function simulate(policyFile: string, lines: readonly WorkloadLine[]): Out[] {
  const parsed = parsePolicy(readFileSync(new URL(policyFile, ROOT), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const out: Out[] = [];
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => out.push(toOutputLine(e) as Out));
  lines.forEach((l, i) => {
    const line = parseWorkloadLine(JSON.stringify(l), i + 1);
    if (!line.ok) throw new Error(`workload line ${i + 1}: ${line.message}`);
    sim.input(line.value);
  });
  sim.finish(sim.lastInputAt + 30 * 24 * 3600 * 1000);
  return out;
}

const countByType = (out: Out[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const o of out) counts[o.type] = (counts[o.type] ?? 0) + 1;
  return counts;
};
const ESCALATION_OR_SLA = /^(sla\.|ticket\.(escalated|deescalated)$|escalation\.)/;

let dir: string;
let imported: WorkloadLine[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'escalon-sn-sim-'));
  // The log is ordered by incident: keep the header and the rows of the first INCIDENTS.
  const rows = gunzipSync(readFileSync(new URL('examples/data/servicenow-incidents-train.csv.gz', ROOT)))
    .toString('utf8')
    .split('\n');
  const seen = new Set<string>();
  let end = 1;
  for (; end < rows.length; end++) {
    const number = rows[end]?.slice(0, rows[end]?.indexOf(',')) ?? '';
    if (!seen.has(number) && seen.size === INCIDENTS) break;
    seen.add(number);
  }
  const slice = join(dir, 'slice.csv');
  await writeFile(slice, rows.slice(0, end).join('\n') + '\n');
  const result = await readServiceNowLog(slice);
  expect(result.stats.incidents).toBe(INCIDENTS);
  imported = result.lines;
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import servicenow + simulate: carried groups and tags change no event', () => {
  it('the slice carries group changes, alone and with a new assignee, and tags', () => {
    const named = new Map<string, string | null>();
    let alone = 0;
    let withAssignee = 0;
    for (const l of imported) {
      if (l.type === 'ticket.created') named.set(l.ticket, l.assignee ?? null);
      if (l.type !== 'ticket.assigned') continue;
      if (l.group !== undefined) {
        if (named.get(l.ticket) === l.assignee) alone++;
        else withAssignee++;
      }
      named.set(l.ticket, l.assignee);
    }
    expect(alone).toBeGreaterThan(1_000);
    expect(withAssignee).toBeGreaterThan(100);
    expect(withoutGroups(imported).length).toBeLessThan(imported.length);
    expect(
      imported.filter((l) => l.type === 'ticket.created' && l.tags?.includes('impact:2')).length,
    ).toBeGreaterThan(1_000);
  });

  it.each(['policies/reference.policy.yaml', 'examples/escalon.policy.yaml'])(
    '%s: the same events, in the same order, but the tags of ticket.created',
    (policy) => {
      const before = simulate(policy, withoutGroups(imported));
      const after = simulate(policy, imported);
      expect(countByType(after)).toEqual(countByType(before));
      expect(countByType(after)['ticket.escalated']).toBeGreaterThan(1_000);
      const escalationsAndSla = (out: Out[]) => out.filter((o) => ESCALATION_OR_SLA.test(o.type));
      expect(escalationsAndSla(after)).toEqual(escalationsAndSla(before));

      const created = after.filter((o) => o.type === 'ticket.created');
      expect(created.every((o) => Array.isArray(o.tags) && o.tags.length > 0)).toBe(true);
      const untagged = (out: Out[]) => out.map((o) => (o.type === 'ticket.created' ? { ...o, tags: [] } : o));
      expect(untagged(after)).toEqual(untagged(before));
    },
    60_000,
  );
});
