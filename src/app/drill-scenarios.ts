/**
 * Where a drill's scenario comes from: a shipped example (examples/drills/*.jsonl and the
 * contract's examples/workload.example.jsonl), an uploaded workload (JSONL text), or tickets
 * sampled from the database's history with names, e-mail addresses and phone numbers replaced.
 * Each becomes workload lines (the contract (docs/contract.md) §6).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { scrubText } from '../domain/drills.ts';
import { DomainError } from '../domain/errors.ts';
import { parseWorkloadLine, type WorkloadLine } from '../domain/workload.ts';
import type { Database } from '../store/schema.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
export const MAX_DRILL_TICKETS = 50;

export interface ExampleScenario {
  id: string;
  title: string;
  tickets: number;
  text: string;
}

const TITLES: Record<string, string> = {
  'three-tickets': 'Three tickets: a legal question, a how-to, a slow export',
  'contract-example': "The contract's example: an urgent outage",
};

let cache: ExampleScenario[] | null = null;

/** The shipped scenarios (read once). */
export function exampleScenarios(): ExampleScenario[] {
  if (cache) return cache;
  const files: Array<[string, string]> = [];
  try {
    for (const f of readdirSync(`${EXAMPLES}drills`).sort()) if (f.endsWith('.jsonl')) files.push([basename(f, '.jsonl'), `${EXAMPLES}drills/${f}`]);
  } catch {
    // no examples/drills directory: only the contract's example
  }
  files.push(['contract-example', `${EXAMPLES}workload.example.jsonl`]);
  const out: ExampleScenario[] = [];
  for (const [id, path] of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const created = text.split('\n').filter((l) => l.includes('"ticket.created"')).length;
    out.push({ id, title: TITLES[id] ?? id, tickets: created, text });
  }
  cache = out;
  return out;
}

/** Parses JSONL workload text strictly: every bad line is listed (DRILL_SCENARIO_INVALID). */
export function parseScenarioText(text: string): WorkloadLine[] {
  const lines: WorkloadLine[] = [];
  const problems: Array<{ line: number; message: string }> = [];
  let lastAt = -Infinity;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const parsed = parseWorkloadLine(raw, i + 1);
    if (!parsed.ok) {
      problems.push({ line: parsed.line, message: parsed.message });
      return;
    }
    if (parsed.value.at < lastAt) problems.push({ line: i + 1, message: "out of order: 'at' is earlier than the line before (lines must be in non-decreasing time order)" });
    lastAt = Math.max(lastAt, parsed.value.at);
    lines.push(parsed.value);
  });
  if (problems.length > 0) {
    throw new DomainError('DRILL_SCENARIO_INVALID', `the workload has ${problems.length} bad line(s); fix them (docs/contract.md §6) and upload it again`, { problems: problems.slice(0, 50) });
  }
  return lines;
}

/**
 * N tickets of the history (`random` picks them), as workload lines: creation and comments, and
 * the solve when there was one. Requesters, staff, organizations and e-mail addresses are
 * replaced (the ticket refs are H1…HN, organizations org-1…).
 */
export async function sampleHistory(db: Kysely<Database>, count: number, random: () => number): Promise<WorkloadLine[]> {
  const all = await db.selectFrom('tickets').select(['id', 'created_at']).execute();
  if (all.length === 0) throw new DomainError('DRILL_SCENARIO_INVALID', 'there are no tickets in the history to sample: start a drill from an example or an uploaded workload', {});
  const pool = [...all];
  const chosen: string[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]?.id as string);
  const tickets = await db.selectFrom('tickets').innerJoin('organizations', 'organizations.id', 'tickets.organization_id').select(['tickets.id', 'tickets.created_at', 'tickets.priority', 'tickets.subject', 'tickets.body', 'tickets.channel', 'tickets.tags', 'tickets.category', 'tickets.solved_at', 'tickets.organization_id', 'organizations.tier', 'organizations.name as org_name']).where('tickets.id', 'in', chosen).orderBy('tickets.created_at').execute();
  const comments = await db.selectFrom('comments').select(['ticket_id', 'author_role', 'public', 'body', 'created_at']).where('ticket_id', 'in', chosen).orderBy('created_at').execute();
  const users = await db.selectFrom('users').select(['name']).execute();
  const orgs = await db.selectFrom('organizations').select(['name']).execute();
  const names = [...users.map((u) => u.name), ...orgs.map((o) => o.name)];
  const orgAlias = new Map<string, string>();
  const objects: Array<Record<string, unknown>> = [];
  tickets.forEach((t, i) => {
    const ref = `H${i + 1}`;
    if (!orgAlias.has(t.organization_id)) orgAlias.set(t.organization_id, `org-${orgAlias.size + 1}`);
    const tags = JSON.parse(t.tags) as string[];
    objects.push({
      at: new Date(Number(t.created_at)).toISOString(),
      type: 'ticket.created',
      ticket: ref,
      priority: t.priority,
      organization: { id: orgAlias.get(t.organization_id), tier: t.tier },
      subject: scrubText(t.subject, names),
      body: scrubText(t.body, names),
      channel: t.channel,
      ...(tags.length > 0 && { tags }),
      ...(t.category && { category: t.category }),
    });
    for (const c of comments.filter((x) => x.ticket_id === t.id)) {
      if (c.author_role === 'rule' || c.author_role === 'system') continue;
      objects.push({ at: new Date(Number(c.created_at)).toISOString(), type: 'comment.added', ticket: ref, author: c.author_role === 'customer' ? 'customer' : 'agent', public: Number(c.public) === 1, body: scrubText(c.body, names) });
    }
    if (t.solved_at !== null) objects.push({ at: new Date(Number(t.solved_at)).toISOString(), type: 'status.changed', ticket: ref, status: 'solved' });
  });
  objects.sort((a, b) => Date.parse(String(a.at)) - Date.parse(String(b.at)));
  return objects.map((o, i) => {
    const parsed = parseWorkloadLine(JSON.stringify(o), i + 1);
    if (!parsed.ok) throw new DomainError('DRILL_SCENARIO_INVALID', `a history ticket could not be turned into a scenario line: ${parsed.message}`, { line: i + 1 });
    return parsed.value;
  });
}
