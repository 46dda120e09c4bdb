/**
 * A second, deliberately plain computation of the §7 KPIs straight from simulate output
 * lines — written apart from src/domain/reporting, sharing none of its code — to check it.
 */
import type { Line } from './streams.ts';

export interface Independent {
  created: number;
  solved: number;
  escalated: number;
  tteMedian: number | null;
  tteP90: number | null;
  ertMedian: number | null;
  ertP90: number | null;
  fcr: number;
  bounced: number;
  reEscalated: number;
  /** met, and clock cycles breached (met / (met + breached) is the compliance). */
  sla: Record<string, { met: number; breached: number }>;
  byReason: Record<string, number>;
  byRule: Record<string, number>;
  levelIn: Record<string, number>;
  teamIn: Record<string, number>;
  statusMs: Record<string, number>;
}

function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  let k = Math.ceil(p * s.length);
  if (k < 1) k = 1;
  return s[k - 1] ?? null;
}

export function independentKpis(lines: Line[], from: number, to: number, asOf: number, teamLevel: Record<string, string>): Independent {
  const tickets = new Map<string, Line[]>();
  for (const l of lines) {
    if (!tickets.has(l.ticket)) tickets.set(l.ticket, []);
    tickets.get(l.ticket)?.push(l);
  }
  const r: Independent = {
    created: 0, solved: 0, escalated: 0, tteMedian: null, tteP90: null, ertMedian: null, ertP90: null, fcr: 0, bounced: 0, reEscalated: 0,
    sla: {}, byReason: {}, byRule: {}, levelIn: {}, teamIn: {}, statusMs: {},
  };
  const tte: number[] = [];
  const ert: number[] = [];
  for (const evs of tickets.values()) {
    const t = (l: Line) => Date.parse(l.at);
    const createdLine = evs.find((l) => l.type === 'ticket.created');
    if (!createdLine) continue;
    const createdAt = t(createdLine);
    let level = String(createdLine.level);
    let team = String(createdLine.team);
    const levelsEntered = [level];
    const teamsEntered = [team];
    let solvedAt: number | null = null;
    let solvedLevel = '';
    let replies = 0;
    let reassignments = 0;
    const escs: Line[] = [];
    let status = 'new';
    let since = createdAt;
    const statusMs: Record<string, number> = {};
    const outcomes: Record<string, Array<'met' | 'late' | 'stopped'>> = {};
    const breaches: Record<string, number> = {};
    const teamsLeft = new Set<string>();
    let bounces = 0;
    const leaveFor = (next: string) => {
      if (teamsLeft.has(next)) bounces++;
      teamsLeft.add(team);
    };
    for (const l of evs) {
      if (l.type === 'ticket.escalated') {
        escs.push(l);
        if (l.to_team !== team) {
          teamsEntered.push(String(l.to_team));
          leaveFor(String(l.to_team));
        }
        if (l.to_level !== level) levelsEntered.push(String(l.to_level));
        team = String(l.to_team);
        level = String(l.to_level);
      } else if (l.type === 'ticket.assigned') {
        reassignments = Math.max(reassignments, Number(l.reassignments ?? 0));
        if (typeof l.team === 'string' && l.team !== team) {
          teamsEntered.push(l.team);
          leaveFor(l.team);
          team = l.team;
          const newLevel = teamLevel[l.team] ?? level;
          if (newLevel !== level) levelsEntered.push(newLevel);
          level = newLevel;
        }
      } else if (l.type === 'comment.added' && l.public === true && l.author_role === 'agent') {
        replies++;
      } else if (l.type === 'status.changed') {
        statusMs[status] = (statusMs[status] ?? 0) + (t(l) - since);
        status = String(l.status);
        since = t(l);
        if (status === 'solved') {
          solvedAt = t(l);
          solvedLevel = level;
        } else if (status !== 'closed') solvedAt = null;
      } else if (l.type === 'sla.breached') {
        breaches[String(l.metric)] = (breaches[String(l.metric)] ?? 0) + 1;
      } else if (l.type === 'sla.fulfilled' || l.type === 'sla.stopped') {
        const m = String(l.metric);
        outcomes[m] ??= [];
        outcomes[m].push(l.type === 'sla.stopped' ? 'stopped' : l.breached === true ? 'late' : 'met');
      } else if (l.type === 'sla.resumed') {
        const list = outcomes[String(l.metric)];
        // a resume after the clock ended (a reopen) takes that ending back
        const endedSinceStart = evs.filter((x) => x.metric === l.metric && t(x) <= t(l) && evs.indexOf(x) < evs.indexOf(l));
        const lastClockEvent = endedSinceStart.filter((x) => ['sla.fulfilled', 'sla.stopped', 'sla.paused', 'sla.applied'].includes(x.type)).pop();
        if (list && lastClockEvent && (lastClockEvent.type === 'sla.fulfilled' || lastClockEvent.type === 'sla.stopped')) list.pop();
      }
    }
    statusMs[status] = (statusMs[status] ?? 0) + (asOf - since);

    const inCreated = createdAt >= from && createdAt < to;
    const inSolved = solvedAt !== null && solvedAt >= from && solvedAt < to;
    if (inSolved) {
      r.solved++;
      const firstEsc = escs[0];
      if (firstEsc) ert.push((solvedAt ?? 0) - t(firstEsc));
      if (escs.length === 0 && solvedLevel === 'L1' && replies === 1) r.fcr++;
    }
    if (!inCreated) continue;
    r.created++;
    if (escs.length > 0) {
      r.escalated++;
      tte.push(t(escs[0] as Line) - createdAt);
      if (escs.length > 1) r.reEscalated++;
    }
    if (reassignments > 2 || bounces > 0) r.bounced++;
    for (const e of escs) {
      const reason = String(e.reason);
      const rule = typeof e.rule === 'string' ? e.rule : 'manual';
      r.byReason[reason] = (r.byReason[reason] ?? 0) + 1;
      r.byRule[rule] = (r.byRule[rule] ?? 0) + 1;
    }
    for (const lv of levelsEntered) r.levelIn[lv] = (r.levelIn[lv] ?? 0) + 1;
    for (const tm of teamsEntered) r.teamIn[tm] = (r.teamIn[tm] ?? 0) + 1;
    for (const [m, list] of Object.entries(outcomes)) {
      r.sla[m] ??= { met: 0, breached: 0 };
      r.sla[m].met += list.filter((o) => o === 'met').length;
    }
    for (const [m, n] of Object.entries(breaches)) {
      r.sla[m] ??= { met: 0, breached: 0 };
      r.sla[m].breached += n;
    }
    for (const st of ['new', 'open', 'pending', 'on_hold']) r.statusMs[st] = (r.statusMs[st] ?? 0) + (statusMs[st] ?? 0);
  }
  r.tteMedian = nearestRank(tte, 0.5);
  r.tteP90 = nearestRank(tte, 0.9);
  r.ertMedian = nearestRank(ert, 0.5);
  r.ertP90 = nearestRank(ert, 0.9);
  return r;
}
