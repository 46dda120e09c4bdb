/** The ticket review as JSON (snake_case), CSV (one row per move, stay and clock) or Markdown. */
import { csvLines } from './csv-cell.ts';
import type { TicketReview } from '../domain/reporting/review.ts';
import type { StoredReview } from '../store/reviews-repo.ts';
import { formatDuration } from './report-format.ts';

/** The recorded review with people's names resolved (`names`: user id → name). */
export interface Lessons {
  review: StoredReview;
  rootCauseName: string;
  names: ReadonlyMap<string, string>;
}

export function lessonsJson(l: Lessons | null) {
  if (!l) return null;
  const r = l.review;
  const who = (id: string) => ({ id, name: l.names.get(id) ?? id });
  return {
    revision: r.revision,
    root_cause: r.rootCause,
    root_cause_name: l.rootCauseName,
    root_cause_detail: r.rootCauseDetail,
    went_well: r.wentWell,
    went_badly: r.wentBadly,
    actions: r.actions.map((a) => ({ description: a.description, owner: who(a.ownerId), due: a.due, done: a.done })),
    recorded_by: who(r.recordedBy),
    recorded_at: new Date(r.recordedAt).toISOString(),
    updated_by: who(r.updatedBy),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function reviewJson(key: string, r: TicketReview, lessons: Lessons | null = null) {
  return {
    lessons: lessonsJson(lessons),
    ticket: { id: r.ticketId, key, status: r.status, level: r.level, team: r.team, created_at: iso(r.createdAt), solved_at: iso(r.solvedAt) },
    moves: r.moves.map((m) => ({
      at: iso(m.at), type: m.type, by: m.by, from_level: m.fromLevel, from_team: m.fromTeam, to_level: m.toLevel, to_team: m.toTeam,
      reason: m.reason, rule: m.rule, kind: m.kind, summary: m.summary, acknowledged_at: iso(m.acknowledgedAt),
    })),
    stays: r.stays.map((s) => ({ kind: s.kind, key: s.key, entered_at: iso(s.enteredAt), left_at: iso(s.leftAt), ended: s.ended, held_ms: s.heldMs, breaches: s.breaches })),
    clocks: r.clocks.map((c) => ({ metric: c.metric, started_at: iso(c.startedAt), due: c.due, breached_at: iso(c.breachedAt), ended_at: iso(c.endedAt), outcome: c.outcome })),
  };
}


/** Numbers stay numbers (ours: durations, counts); everything else is text, neutralised by csvLines. */
const cellOf = (v: unknown): string | number | boolean | null => (v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'boolean' ? v : String(v));

export function reviewCsv(key: string, r: TicketReview, lessons: Lessons | null = null): string {
  const rows: unknown[][] = [['ticket', 'part', 'at', 'until', 'what', 'from', 'to', 'by', 'why', 'value']];
  if (lessons) {
    const l = lessons.review;
    rows.push([key, 'root_cause', iso(l.updatedAt), '', l.rootCause, '', '', lessons.names.get(l.updatedBy) ?? l.updatedBy, l.rootCauseDetail, lessons.rootCauseName]);
    rows.push([key, 'went_well', '', '', '', '', '', '', '', l.wentWell]);
    rows.push([key, 'went_badly', '', '', '', '', '', '', '', l.wentBadly]);
    for (const a of l.actions) rows.push([key, 'action', '', a.due, a.description, '', '', lessons.names.get(a.ownerId) ?? a.ownerId, '', a.done ? 'done' : 'open']);
  }
  for (const m of r.moves) rows.push([key, 'move', iso(m.at), iso(m.acknowledgedAt), m.type, [m.fromLevel, m.fromTeam].filter(Boolean).join('/'), [m.toLevel, m.toTeam].filter(Boolean).join('/'), m.rule ? `rule:${m.rule}` : m.by, m.reason, m.summary]);
  for (const s of r.stays) rows.push([key, `stay.${s.kind}`, iso(s.enteredAt), iso(s.leftAt), s.key, '', '', '', s.breaches > 0 ? `${s.breaches} breach(es)` : '', s.heldMs]);
  for (const c of r.clocks) rows.push([key, 'sla', iso(c.startedAt), iso(c.endedAt), c.metric, '', c.due, '', c.breachedAt ? `breached ${iso(c.breachedAt)}` : '', c.outcome]);
  return csvLines(rows.map((row) => row.map(cellOf)));
}

const md = (s: string | null) => (s ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reviewMarkdown(key: string, r: TicketReview, lessons: Lessons | null = null): string {
  const out = [`# Escalation review — ${key}`, '', `Created ${iso(r.createdAt)}; ${r.solvedAt ? `solved ${iso(r.solvedAt)}` : `not solved (${r.status})`}; now at ${r.level} / ${r.team}.`, ''];
  if (lessons) {
    const l = lessons.review;
    const name = (id: string) => lessons.names.get(id) ?? id;
    out.push('## Lessons', '', `**Root cause:** ${lessons.rootCauseName} (\`${l.rootCause}\`)${l.rootCauseDetail ? ` — ${l.rootCauseDetail}` : ''}`, '');
    out.push(`**Went well:** ${l.wentWell || '—'}`, '', `**Went badly:** ${l.wentBadly || '—'}`, '');
    if (l.actions.length) {
      out.push('| action | owner | due | done |', '|---|---|---|---|');
      for (const a of l.actions) out.push(`| ${md(a.description)} | ${md(name(a.ownerId))} | ${a.due} | ${a.done ? 'yes' : 'no'} |`);
      out.push('');
    }
    out.push(`Recorded by ${name(l.recordedBy)} ${iso(l.recordedAt)}; revision ${l.revision} by ${name(l.updatedBy)} ${iso(l.updatedAt)}.`, '');
  }
  out.push('## Moves', '', '| when | what | from | to | by | why | acknowledged |', '|---|---|---|---|---|---|---|');
  for (const m of r.moves) out.push(`| ${iso(m.at)} | ${m.type} | ${md([m.fromLevel, m.fromTeam].filter(Boolean).join(' / '))} | ${md([m.toLevel, m.toTeam].filter(Boolean).join(' / '))} | ${md(m.rule ? `rule ${m.rule}` : m.by)} | ${md(m.reason)}${m.summary ? `: ${md(m.summary)}` : ''} | ${iso(m.acknowledgedAt) ?? '—'} |`);
  out.push('', '## Time at each level and team', '', '| | where | from | to | held | breaches |', '|---|---|---|---|---|---|');
  for (const s of r.stays) out.push(`| ${s.kind} | ${md(s.key)} | ${iso(s.enteredAt)} | ${iso(s.leftAt) ?? '—'} | ${formatDuration(s.heldMs)} | ${s.breaches} |`);
  out.push('', '## SLA outcomes', '', '| metric | started | due | breached | ended | outcome |', '|---|---|---|---|---|---|');
  for (const c of r.clocks) out.push(`| ${c.metric} | ${iso(c.startedAt)} | ${c.due ?? '—'} | ${iso(c.breachedAt) ?? '—'} | ${iso(c.endedAt) ?? '—'} | ${c.outcome} |`);
  return out.join('\n') + '\n';
}
