/**
 * Running rules and their actions (the contract (docs/contract.md) §4). A rule runs at most once per cascade; its
 * actions run in the order written, each on the state the previous one left. The first
 * escalation that moves the ticket in a cascade wins; later ones are recorded as skipped.
 */
import type { Action, Recipient, TeamDef } from '../policy/types.ts';
import type { CompiledRule } from './context.ts';
import type { Step } from './step.ts';
import type { EngineEvent } from './types.ts';

export interface RuleRun {
  rule: CompiledRule;
  /** What fired it: an event type, `idle 2h` or `unacknowledged 30m`. */
  trigger: string;
  text: string;
  metric: EngineEvent['data']['metric'] | null;
  /** Escalations by a rule triggered by `unacknowledged` require acknowledgement (§4 Placement). */
  byUnacknowledged: boolean;
}

/** Evaluates the rule's condition and, when it holds, runs its actions. */
export function runRule(step: Step, run: RuleRun): void {
  const { rule } = run;
  if (step.ran.has(rule.def.id)) return;
  const metric = (run.metric as Parameters<Step['facts']>[1]) ?? null;
  const facts = step.facts(run.text, metric);
  if (rule.condition && !rule.condition.test(facts)) return;
  step.ran.add(rule.def.id);
  const conditions = rule.condition ? rule.condition.explain(facts).saw : [];
  const explanation: Record<string, unknown> = {
    rule: rule.def.id,
    trigger: run.trigger,
    policy_version: step.ctx.policyVersion,
    conditions,
  };
  // A decision on the risk model's word carries the score and its reasons (issue 14).
  const score = step.state.riskScore;
  if (score && (run.trigger === 'risk.changed' || conditions.some((c) => c.field === 'risk.score'))) {
    explanation.risk = { score: score.risk, band: score.band, model: score.model, reasons: score.reasons.map((r) => ({ ...r })) };
  }
  for (const action of rule.def.do) runAction(step, run, action, explanation);
}

function runAction(step: Step, run: RuleRun, action: Action, explanation: Record<string, unknown>): void {
  const ruleId = run.rule.def.id;
  const actor = `rule:${ruleId}`;
  const state = step.state;
  switch (action.kind) {
    case 'escalate': {
      if (step.moved) {
        step.emit('escalation.skipped', actor, {
          rule: ruleId,
          reason: action.reason,
          why: 'an earlier escalation in the same cascade already moved the ticket',
        });
        return;
      }
      const resolution = step.ctx.matrix.resolve(action.target, state.team, true);
      if (resolution.kind === 'noop') return;
      if (resolution.kind === 'refused') {
        step.emit('escalation.refused', actor, {
          rule: ruleId,
          reason: action.reason,
          from_level: state.level,
          from_team: state.team,
          why: resolution.why,
        });
        return;
      }
      escalateTo(step, resolution.team, {
        actor,
        reason: action.reason,
        rule: ruleId,
        requireAck: run.rule.def.requireAck || run.byUnacknowledged,
        explanation,
      });
      return;
    }
    case 'set': {
      if (action.priority) step.setPriority(action.priority, actor);
      if (action.status && action.status !== 'new' && state.status !== 'closed') step.setStatus(action.status, actor);
      if (action.tags) {
        const added = action.tags.filter((t) => !state.tags.includes(t));
        if (added.length > 0) {
          state.tags = [...state.tags, ...added];
          step.emit('ticket.updated', actor, { tags: state.tags, added_tags: added });
          step.syncSla();
        }
      }
      return;
    }
    case 'assign': {
      const team = step.ctx.matrix.team(state.team);
      const to = action.to;
      let who: string | null = null;
      if (to.kind === 'agent') who = to.email;
      else if (to.kind === 'team_lead') who = team?.lead ?? null;
      else if (to.kind === 'on_call') who = step.ctx.matrix.onCall(state.team, step.at);
      else if (team) {
        who =
          to.kind === 'round_robin'
            ? step.ctx.host.roundRobin(team.id, team.members)
            : step.ctx.host.leastLoaded(team.id, team.members);
      }
      if (who === null) {
        step.emit('assignment.skipped', actor, { rule: ruleId, strategy: to.kind, why: `no ${to.kind} in team ${state.team}` });
        return;
      }
      step.assign(who, actor, { rule: ruleId, strategy: to.kind });
      return;
    }
    case 'notify': {
      notify(step, action.to, action.template, ruleId);
      return;
    }
    case 'add_note': {
      const risk = explanation.risk as RiskExplanation | undefined;
      // A note of a rule deciding on the risk score ends with the score and its reasons.
      const body = risk ? `${action.body}\n\n${riskText(risk)}` : action.body;
      step.emit('comment.added', actor, { public: false, author_role: 'rule', rule: ruleId, body }, true, body);
      return;
    }
    case 'require_acknowledgement':
      // A property of the rule (RuleDef.requireAck), applied to the escalation it makes.
      return;
  }
}

interface RiskExplanation {
  score: number;
  band: string;
  model: string;
  reasons: Array<{ feature: string; effect: number }>;
}

/** `Risk 0.82 (high): waiting on the customer 3 days +0.21; 2 reassignments +0.09`. */
export function riskText(r: RiskExplanation): string {
  const reasons = r.reasons.map((x) => `${x.feature} ${x.effect >= 0 ? '+' : '−'}${Math.abs(x.effect).toFixed(2)}`);
  return `Risk ${r.score.toFixed(2)} (${r.band})${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
}

export interface EscalationSpec {
  actor: string;
  reason: string;
  rule?: string;
  requireAck: boolean;
  explanation?: Record<string, unknown>;
  documentation?: unknown;
  manual?: boolean;
  /** The customer's words, when the customer asked. */
  comment?: string;
}

/** Moves the ticket to `team` and records the escalation (§1 "escalation"). */
export function escalateTo(step: Step, team: TeamDef, spec: EscalationSpec): void {
  const state = step.state;
  const fromLevel = state.level;
  const fromTeam = state.team;
  const { bounce } = step.moveTeam(team);
  state.escalations += 1;
  state.escalationSeq += 1;
  const id = `${state.ref}/e${state.escalationSeq}`;
  const previousAssignee = state.assignee;
  // The receiving team works the ticket now; the owner stays the customer's contact.
  if (previousAssignee !== null && !team.members.includes(previousAssignee)) state.assignee = null;
  // A later escalation replaces an earlier pending acknowledgement (§8.7).
  state.pendingAck = spec.requireAck ? { escalationId: id, at: step.at, fired: [], by: spec.actor, team: team.id } : null;
  step.moved = true;
  const data: Record<string, unknown> = {
    escalation_id: id,
    from_level: fromLevel,
    from_team: fromTeam,
    to_level: team.level,
    to_team: team.id,
    kind: team.kind === 'functional' ? 'functional' : 'hierarchical',
    reason: spec.reason,
    require_ack: spec.requireAck,
    policy_version: step.ctx.policyVersion,
  };
  if (spec.rule) data.rule = spec.rule;
  if (spec.explanation) data.explanation = spec.explanation;
  if (spec.documentation) data.documentation = spec.documentation;
  if (spec.comment !== undefined) data.comment = spec.comment;
  if (previousAssignee !== state.assignee) data.previous_assignee = previousAssignee;
  Object.assign(data, step.moveCounts());
  step.emit('ticket.escalated', spec.actor, data);
  if (bounce) step.bounced(fromTeam, spec.actor);
  // A person escalating (staff or the customer) gets the receiving team told without a rule; rules notify for themselves.
  if (spec.manual) notifyReceivingTeam(step, team, spec.reason === 'customer_request' ? 'customer-escalation-request' : 'escalation-manual');
}

/**
 * The built-in notice for a move a person made (manual escalation, a customer's request): to
 * the receiving team's lead (else its manager) during the team calendar's hours; outside them
 * to the team's own on-call person when it keeps a rotation, else still to its lead (the one
 * who acknowledges — quiet hours hold the mail until the team opens); to its members when it
 * names none of those. Another team's rotation is never used: its people do not acknowledge
 * for this team. Queued like a rule's notice, with `default: true`; skipped, and the skip
 * recorded, when the team has nobody at all.
 */
export function notifyReceivingTeam(step: Step, team: TeamDef, template: string): void {
  const calendar = team.calendar ? step.ctx.calendarOf(team.calendar) : step.ctx.wallClock;
  const open = calendar.isOpen(step.at);
  const ownRotation = (team.onCall?.rotation.length ?? 0) > 0;
  const onCall = ownRotation ? step.ctx.matrix.onCall(team.id, step.at) : null;
  const lead = team.lead ?? team.manager ?? null;
  const leadRole = team.lead ? 'team_lead' : 'team_manager';
  const [who, role] = !open && onCall ? [onCall, 'on_call'] : lead ? [lead, leadRole] : [onCall, 'on_call'];
  // A team with nobody in charge (a management team) hears of it as a whole.
  const to = who ? [who] : [...team.members];
  if (to.length === 0) {
    step.emit('notification.skipped', 'system', { template, recipient: 'team_lead', default: true, why: `team ${team.id} has no lead, manager, on-call person or member` });
    return;
  }
  step.emit('notification.queued', 'system', { template, recipient: who ? role : 'team', to, channel: 'email', audience: 'internal', default: true });
}

/**
 * The built-in notice that an escalation was acknowledged: to whoever is waiting to hear — the
 * person who made the escalation, else (a rule's or the customer's escalation) the ticket's
 * owner, else its assignee. The team that acknowledged knows already.
 */
export function notifyAcknowledged(step: Step, by: string | undefined, acknowledgedBy: string): void {
  const template = 'escalation-acknowledged';
  const s = step.state;
  const escalator = by !== undefined && by.includes('@') ? by : null;
  const [who, role] = escalator ? [escalator, 'escalated_by'] : s.owner ? [s.owner, 'owner'] : s.assignee ? [s.assignee, 'assignee'] : [null, 'owner'];
  if (!who || who === acknowledgedBy) {
    if (!who) step.emit('notification.skipped', 'system', { template, recipient: role, default: true, why: 'nobody is waiting to hear: no person made the escalation and the ticket has no owner or assignee' });
    return;
  }
  step.emit('notification.queued', 'system', { template, recipient: role, to: [who], channel: 'email', audience: 'internal', default: true });
}

const CUSTOMER_ROLES = new Set(['requester']);

function notify(step: Step, recipients: readonly Recipient[], template: string, ruleId: string): void {
  const state = step.state;
  const team = step.ctx.matrix.team(state.team);
  const seen = new Set<string>();
  for (const recipient of recipients) {
    let label: string;
    let to: string[];
    let channel = 'email';
    if (recipient.kind === 'address') {
      label = recipient.address;
      to = [recipient.address];
    } else if (recipient.kind === 'webhook') {
      label = 'webhook';
      to = [recipient.url];
      channel = 'webhook';
    } else if (recipient.kind === 'sms') {
      // People by their account address; the dispatcher sends to the phone number on the account.
      channel = 'sms';
      label = recipient.role ? `sms:${recipient.role}` : `sms:${recipient.phone ?? ''}`;
      to = recipient.role ? roleMembers(step, recipient.role, team) : recipient.phone ? [recipient.phone] : [];
    } else {
      label = recipient.role;
      to = roleMembers(step, recipient.role, team);
    }
    const fresh = to.filter((address) => !seen.has(`${channel}:${address}`));
    for (const address of fresh) seen.add(`${channel}:${address}`);
    if (to.length === 0) {
      step.emit('notification.skipped', `rule:${ruleId}`, { rule: ruleId, template, recipient: label, why: `no ${label} on this ticket` });
      continue;
    }
    if (fresh.length === 0) continue;
    step.emit('notification.queued', `rule:${ruleId}`, {
      rule: ruleId,
      template,
      recipient: label,
      to: fresh,
      channel,
      audience: (recipient.kind === 'role' || recipient.kind === 'sms') && recipient.role !== null && CUSTOMER_ROLES.has(recipient.role) ? 'customer' : 'internal',
    });
  }
}

function roleMembers(step: Step, role: string, team: TeamDef | undefined): string[] {
  const state = step.state;
  const one = (v: string | null | undefined) => (v ? [v] : []);
  switch (role) {
    case 'assignee':
      return one(state.assignee);
    case 'owner':
      return one(state.owner);
    case 'requester':
      return one(state.requester);
    case 'team':
      return team ? [...team.members] : [];
    case 'team_lead':
      return one(team?.lead);
    case 'team_manager':
      // A team without a manager of its own (a management team) is managed by its lead, else by its members.
      return team?.manager ? [team.manager] : team?.lead ? [team.lead] : team ? [...team.members] : [];
    case 'on_call':
      return one(step.ctx.matrix.onCall(state.team, step.at));
    default:
      return [];
  }
}
