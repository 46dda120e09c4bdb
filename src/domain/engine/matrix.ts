/**
 * The escalation matrix of an applied policy: levels, teams, and who fills each role.
 * Built once per policy; every lookup is a map read.
 */
import { DateTime } from 'luxon';
import type { EscalateTarget, LevelDef, Policy, TeamDef } from '../policy/types.ts';

export type TargetResolution =
  | { kind: 'move'; team: TeamDef }
  /** The target is where the ticket already is, or at or below its level: nothing happens (§8.6). */
  | { kind: 'noop'; why: string }
  | { kind: 'refused'; why: string };

const WEEK_MS = 7 * 24 * 3600 * 1000;

export class Matrix {
  private readonly levelById = new Map<string, LevelDef>();
  private readonly teamById = new Map<string, TeamDef>();

  constructor(
    readonly policy: Policy,
    private readonly zoneOfCalendar: (calendarId: string | undefined) => string,
  ) {
    for (const level of policy.levels) this.levelById.set(level.id, level);
    for (const team of policy.teams) this.teamById.set(team.id, team);
  }

  team(id: string): TeamDef | undefined {
    return this.teamById.get(id);
  }

  level(id: string): LevelDef | undefined {
    return this.levelById.get(id);
  }

  rank(levelId: string): number {
    return this.levelById.get(levelId)?.rank ?? -1;
  }

  /** Placement (§4): the first team of the lowest level that has one, hierarchical preferred. */
  entryTeam(): TeamDef | undefined {
    for (const level of this.policy.levels) {
      const team = this.firstHierarchical(level.id) ?? this.policy.teams.find((t) => t.level === level.id);
      if (team) return team;
    }
    return undefined;
  }

  firstHierarchical(levelId: string): TeamDef | undefined {
    return this.policy.teams.find((t) => t.level === levelId && t.kind === 'hierarchical');
  }

  /** Where an escalation goes from `currentTeam`. */
  resolve(target: EscalateTarget, currentTeam: string, automatic: boolean): TargetResolution {
    const current = this.teamById.get(currentTeam);
    const currentRank = current ? this.rank(current.level) : -1;
    switch (target.kind) {
      case 'next_level': {
        const top = this.policy.levels.length - 1;
        if (currentRank >= top) return { kind: 'refused', why: `already at the top level (${current?.level ?? '?'})` };
        for (let r = currentRank + 1; r <= top; r++) {
          const level = this.policy.levels[r];
          const team = level ? this.firstHierarchical(level.id) : undefined;
          if (team) return { kind: 'move', team };
        }
        return { kind: 'refused', why: 'no team on any higher level' };
      }
      case 'level': {
        const level = this.levelById.get(target.level);
        if (!level) return { kind: 'refused', why: `unknown level ${target.level}` };
        if (level.rank <= currentRank) {
          const why = `level ${level.id} is not above the current level ${current?.level ?? '?'}`;
          return automatic ? { kind: 'noop', why } : { kind: 'refused', why };
        }
        const team = this.firstHierarchical(level.id) ?? this.policy.teams.find((t) => t.level === level.id);
        return team ? { kind: 'move', team } : { kind: 'refused', why: `no team at level ${level.id}` };
      }
      case 'team': {
        const team = this.teamById.get(target.team);
        if (!team) return { kind: 'refused', why: `unknown team ${target.team}` };
        if (team.id === currentTeam) {
          const why = `already with team ${team.id}`;
          return automatic ? { kind: 'noop', why } : { kind: 'refused', why };
        }
        return { kind: 'move', team };
      }
      case 'skill': {
        const team = this.policy.teams.find((t) => t.skills.includes(target.skill));
        if (!team) return { kind: 'refused', why: `no team has the skill ${target.skill}` };
        return this.resolve({ kind: 'team', team: team.id }, currentTeam, automatic);
      }
    }
  }

  /**
   * On call (§1, §8.10): the person on call in the team's rotation or, where it has none,
   * in that of the nearest higher level's team that has one. Weeks count from the first
   * handover on or after the rotation's start date, in the team calendar's zone; before the
   * first handover, the first person in the list is on call.
   */
  onCall(teamId: string, at: number): string | null {
    const team = this.teamById.get(teamId);
    if (!team) return null;
    const candidates = [team, ...this.teamsAbove(team)];
    for (const candidate of candidates) {
      const rota = candidate.onCall;
      if (!rota || rota.rotation.length === 0) continue;
      const zone = this.zoneOfCalendar(candidate.calendar);
      const start = DateTime.fromISO(rota.start, { zone });
      let first = start.set({
        hour: Math.floor(rota.handover.minute / 60),
        minute: rota.handover.minute % 60,
        second: 0,
        millisecond: 0,
      });
      const shift = (rota.handover.weekday + 1 - first.weekday + 7) % 7;
      first = first.plus({ days: shift });
      if (first < start) first = first.plus({ days: 7 });
      const firstMs = first.toMillis();
      if (at < firstMs) return rota.rotation[0] ?? null;
      // Count whole local weeks (a DST change makes one week an hour shorter or longer).
      let weeks = Math.floor((at - firstMs) / WEEK_MS);
      while (weeks > 0 && first.plus({ weeks }).toMillis() > at) weeks--;
      while (first.plus({ weeks: weeks + 1 }).toMillis() <= at) weeks++;
      return rota.rotation[weeks % rota.rotation.length] ?? null;
    }
    return null;
  }

  /** Teams on higher levels, nearest first (hierarchical before functional on each level). */
  private teamsAbove(team: TeamDef): TeamDef[] {
    const rank = this.rank(team.level);
    const above = this.policy.teams.filter((t) => this.rank(t.level) > rank);
    return above.sort(
      (a, b) =>
        this.rank(a.level) - this.rank(b.level) ||
        (a.kind === 'hierarchical' ? 0 : 1) - (b.kind === 'hierarchical' ? 0 : 1),
    );
  }
}
