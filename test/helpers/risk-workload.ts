// A small synthetic workload with outcomes for the risk model's tests: deterministic, with
// signal (some categories and assignees, reassignments and reopenings go with a missed SLA).
import { parseWorkloadLine, type WorkloadLine } from '../../src/domain/workload.ts';
import { rng } from '../../src/risk/train.ts';


export interface RiskFixture {
  /** Workload lines as JSON objects (file order). */
  json: Record<string, unknown>[];
  lines: WorkloadLine[];
  /** ticket → met its SLA (the labels file). */
  labels: Record<string, boolean>;
  /** ticket → bad outcome. */
  bad: Map<string, boolean>;
}

const START = Date.parse('2026-01-05T08:00:00Z');
const MIN = 60_000;

export function riskWorkload(tickets = 160, seed = 7): RiskFixture {
  const random = rng(seed);
  const events: { at: number; seq: number; line: Record<string, unknown> }[] = [];
  const labels: Record<string, boolean> = {};
  let seq = 0;
  const push = (at: number, line: Record<string, unknown>) => events.push({ at, seq: seq++, line: { at: new Date(at).toISOString(), ...line } });
  for (let i = 0; i < tickets; i++) {
    const ref = `T${String(i).padStart(4, '0')}`;
    const opened = START + i * 37 * MIN + Math.floor(random() * 30) * MIN;
    const hard = random() < 0.4;
    const category = hard ? (random() < 0.7 ? 'network' : 'email') : random() < 0.7 ? 'email' : 'network';
    const requester = `caller-${Math.floor(random() * 25)}`;
    const assignee = hard && random() < 0.6 ? 'slow-resolver' : `resolver-${Math.floor(random() * 4)}`;
    const bad = hard ? random() < 0.8 : random() < 0.15;
    labels[ref] = !bad;
    push(opened, {
      type: 'ticket.created',
      ticket: ref,
      priority: random() < 0.2 ? 'high' : 'normal',
      organization: { id: `site-${Math.floor(random() * 5)}`, tier: 'standard' },
      subject: `${category} problem`,
      body: `Something about ${category}.`,
      channel: random() < 0.5 ? 'phone' : 'email',
      category,
      requester,
      assignee,
      tags: [`impact:${hard ? 1 : 2}`, `urgency:2`, `subcategory:${category}-${Math.floor(random() * 3)}`],
    });
    let at = opened;
    const steps = 2 + Math.floor(random() * 8);
    for (let s = 0; s < steps; s++) {
      at += Math.floor((bad ? 240 : 60) * (0.5 + random())) * MIN;
      const r = random();
      if (s === 0) push(at, { type: 'status.changed', ticket: ref, status: 'open' });
      else if (r < (bad ? 0.5 : 0.15)) push(at, { type: 'ticket.assigned', ticket: ref, assignee: `resolver-${Math.floor(random() * 6)}` });
      else if (r < 0.7) push(at, { type: 'comment.added', ticket: ref, author: random() < 0.5 ? 'agent' : 'customer', public: true, body: 'update' });
      else if (r < 0.8) push(at, { type: 'status.changed', ticket: ref, status: 'pending' });
      else push(at, { type: 'status.changed', ticket: ref, status: 'open' });
    }
    push(at + 30 * MIN, { type: 'status.changed', ticket: ref, status: 'solved' });
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const json = events.map((e) => e.line);
  const lines = json.map((l, i) => {
    const parsed = parseWorkloadLine(JSON.stringify(l), i + 1);
    if (!parsed.ok) throw new Error(`fixture line ${i + 1}: ${parsed.message}`);
    return parsed.value;
  });
  return { json, lines, labels, bad: new Map(Object.entries(labels).map(([k, v]) => [k, !v])) };
}

export function toJsonl(json: Record<string, unknown>[]): string {
  return json.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
