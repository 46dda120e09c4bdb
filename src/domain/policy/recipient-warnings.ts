/**
 * Recipients that would resolve to nobody, found when a policy is validated or planned rather
 * than as silent skips at run time. Warnings never refuse a policy: a team may get its lead
 * later, an account may be created after the policy. Pure: the accounts are handed in.
 *
 *   - a rule notifies `team_lead` / `team_manager` / `on_call` / `team` and a team the ticket
 *     can be on at that moment has no such person (the target team when the rule escalated
 *     just before, every non-functional team otherwise);
 *   - a person the policy names (lead, manager, member, rotation, notify address) has no
 *     active staff account, when the accounts are known.
 */
import type { Policy, RecipientRole, TeamDef } from './types.ts';

export interface PolicyWarning {
  path: string;
  message: string;
}

/** Who the role names on `team`, as the engine resolves it (actions.ts), on-call rotations of higher teams included. */
function reaches(policy: Policy, team: TeamDef, role: RecipientRole): boolean {
  switch (role) {
    case 'team_lead':
      return team.lead !== undefined;
    case 'team_manager':
      return team.manager !== undefined || team.lead !== undefined || team.members.length > 0;
    case 'team':
      return team.members.length > 0;
    case 'on_call': {
      const rank = policy.levels.findIndex((l) => l.id === team.level);
      return policy.teams.some((t) => (t.id === team.id || (t.kind !== 'functional' && policy.levels.findIndex((l) => l.id === t.level) > rank)) && (t.onCall?.rotation.length ?? 0) > 0);
    }
    default:
      return true; // ticket people (assignee, owner, requester) are known only on a ticket
  }
}

export function recipientWarnings(policy: Policy, accounts?: ReadonlySet<string>): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  const hierarchical = policy.teams.filter((t) => t.kind !== 'functional');
  policy.rules.forEach((rule, ri) => {
    let teams: TeamDef[] = hierarchical;
    rule.do.forEach((action, ai) => {
      if (action.kind === 'escalate') {
        const t = action.target;
        if (t.kind === 'team') teams = policy.teams.filter((x) => x.id === t.team);
        else if (t.kind === 'level') teams = hierarchical.filter((x) => x.level === t.level).slice(0, 1);
        else if (t.kind === 'skill') teams = policy.teams.filter((x) => x.skills.includes(t.skill)).slice(0, 1);
        return;
      }
      if (action.kind !== 'notify') return;
      action.to.forEach((r, ti) => {
        const role = r.kind === 'role' || r.kind === 'sms' ? r.role : null;
        if (role === null) return;
        const nobody = teams.filter((team) => !reaches(policy, team, role)).map((team) => team.id);
        if (nobody.length === 0) return;
        warnings.push({
          path: `rules[${ri}].do[${ai}].notify.to[${ti}]`,
          message: `rule ${rule.id} notifies ${r.kind === 'sms' ? `sms: ${role}` : role}, but team${nobody.length > 1 ? 's' : ''} ${nobody.join(', ')} ${nobody.length > 1 ? 'have' : 'has'} nobody in that role: a ticket there notifies no one (add a ${role === 'on_call' ? 'rotation' : role.replace('team_', '')} or another recipient)`,
        });
      });
    });
  });
  if (accounts) {
    // Each person once, at the first place the policy names them.
    const seen = new Map<string, string>();
    const named = { set: (email: string, path: string) => void (seen.has(email) || seen.set(email, path)) };
    policy.teams.forEach((t) => {
      if (t.lead) named.set(t.lead, `teams.${t.id}.lead`);
      if (t.manager) named.set(t.manager, `teams.${t.id}.manager`);
      t.members.forEach((m, j) => named.set(m, `teams.${t.id}.members[${j}]`));
      t.onCall?.rotation.forEach((m, j) => named.set(m, `teams.${t.id}.on_call.rotation[${j}]`));
    });
    policy.rules.forEach((rule, ri) =>
      rule.do.forEach((a, ai) => {
        if (a.kind === 'notify') a.to.forEach((r, ti) => r.kind === 'address' && named.set(r.address, `rules[${ri}].do[${ai}].notify.to[${ti}]`));
      }),
    );
    for (const [email, path] of seen) {
      if (!accounts.has(email.toLowerCase())) warnings.push({ path, message: `${email} has no active staff account: notices to them still go by email, but nobody can sign in to act on them` });
    }
  }
  return warnings;
}
