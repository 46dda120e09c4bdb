/**
 * What changed between two policies, section by section: ids added, removed, and changed (the
 * normalised definition differs — so a reformatted document with the same meaning shows no
 * change). The plan of an apply and the comparison of two stored versions both use it.
 */
import type { Policy } from './types.ts';

export interface SectionChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface PolicyChanges {
  levels: SectionChanges;
  teams: SectionChanges;
  sla: SectionChanges;
  rules: SectionChanges;
  calendars: SectionChanges;
  root_causes: SectionChanges;
  /** Checklists by reason category and macros by id, as `checklist:<reason>` / `macro:<id>`. */
  playbooks: SectionChanges;
}

export function diffById<T extends { id: string }>(before: readonly T[], after: readonly T[]): SectionChanges {
  const b = new Map(before.map((x) => [x.id, JSON.stringify(x)]));
  const a = new Map(after.map((x) => [x.id, JSON.stringify(x)]));
  return {
    added: [...a.keys()].filter((k) => !b.has(k)),
    removed: [...b.keys()].filter((k) => !a.has(k)),
    changed: [...a.keys()].filter((k) => b.has(k) && b.get(k) !== a.get(k)),
  };
}

function playbookItems(p: Policy | null): Array<{ id: string }> {
  if (!p?.playbooks) return [];
  return [...p.playbooks.checklists.map((c) => ({ ...c, id: `checklist:${c.reason}` })), ...p.playbooks.macros.map((m) => ({ ...m, id: `macro:${m.id}` }))];
}

/** `before` null: everything in `after` is added. */
export function diffPolicies(before: Policy | null, after: Policy): PolicyChanges {
  return {
    levels: diffById(before?.levels ?? [], after.levels),
    teams: diffById(before?.teams ?? [], after.teams),
    sla: diffById(before?.sla ?? [], after.sla),
    rules: diffById(before?.rules ?? [], after.rules),
    calendars: diffById(Object.values(before?.calendars ?? {}), Object.values(after.calendars)),
    root_causes: diffById(before?.rootCauses ?? [], after.rootCauses),
    playbooks: diffById(playbookItems(before), playbookItems(after)),
  };
}

/** One line: `rules +1 −0 ~2; sla ~1`, or `no change`. */
export function summarizeChanges(c: PolicyChanges): string {
  const parts: string[] = [];
  for (const [name, s] of Object.entries(c) as Array<[string, SectionChanges]>) {
    const bits = [s.added.length ? `+${s.added.length}` : '', s.removed.length ? `−${s.removed.length}` : '', s.changed.length ? `~${s.changed.length}` : ''].filter(Boolean);
    if (bits.length) parts.push(`${name} ${bits.join(' ')}`);
  }
  return parts.length ? parts.join('; ') : 'no change';
}
