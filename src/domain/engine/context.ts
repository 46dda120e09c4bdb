/**
 * What the engine compiles once per applied policy: calendars, SLA policy selectors, rules
 * with their conditions turned into closures, and the escalation matrix. Shared by every
 * step; never changes while the policy is in force.
 */
import { BusinessCalendar } from '../calendar.ts';
import { compileCondition } from '../policy/condition.ts';
import type {
  CalendarSpec,
  CompiledCondition,
  EventTrigger,
  Policy,
  RuleDef,
  SlaPolicyDef,
} from '../policy/types.ts';
import { Matrix } from './matrix.ts';
import type { EngineHost, FlagName } from './types.ts';

export interface TriageResult {
  flags: Record<FlagName, boolean>;
  signals: Partial<Record<FlagName, string[]>>;
  sentiment: number;
}
export type TriageFn = (text: string) => TriageResult;

export interface CompiledRule {
  def: RuleDef;
  index: number;
  condition: CompiledCondition | null;
  events: ReadonlySet<EventTrigger>;
  idleMs: number | null;
  unackMs: number | null;
}

export interface CompiledSla {
  def: SlaPolicyDef;
  condition: CompiledCondition | null;
  calendar: BusinessCalendar;
}

const WALL_CLOCK: CalendarSpec = { id: '24x7', timezone: 'UTC', alwaysOpen: true, week: [], holidays: [] };

export class EngineContext {
  readonly calendars = new Map<string, BusinessCalendar>();
  readonly sla: CompiledSla[];
  readonly rules: CompiledRule[];
  readonly rulesByEvent = new Map<EventTrigger, CompiledRule[]>();
  readonly idleRules: CompiledRule[];
  readonly unackRules: CompiledRule[];
  readonly matrix: Matrix;
  /** Wall-clock time, for tickets that no SLA policy covers. */
  readonly wallClock = new BusinessCalendar(WALL_CLOCK);

  constructor(
    readonly policy: Policy,
    readonly policyVersion: number,
    readonly host: EngineHost,
    readonly triage: TriageFn,
  ) {
    for (const [id, spec] of Object.entries(policy.calendars)) this.calendars.set(id, new BusinessCalendar(spec));
    this.sla = policy.sla.map((def) => ({
      def,
      condition: def.when ? compileCondition(def.when) : null,
      calendar: this.calendarOf(def.calendar),
    }));
    this.rules = policy.rules.map((def, index) => {
      const events = new Set<EventTrigger>();
      let idleMs: number | null = null;
      let unackMs: number | null = null;
      for (const trigger of def.on) {
        if (trigger.kind === 'event') events.add(trigger.event);
        else if (trigger.kind === 'idle') idleMs = trigger.ms;
        else unackMs = trigger.ms;
      }
      return { def, index, condition: def.if ? compileCondition(def.if) : null, events, idleMs, unackMs };
    });
    // A disabled rule (`enabled: false`) is compiled (so its index and id stay) but never runs.
    const running = this.rules.filter((r) => r.def.enabled !== false);
    for (const rule of running) {
      for (const event of rule.events) {
        const list = this.rulesByEvent.get(event) ?? [];
        list.push(rule);
        this.rulesByEvent.set(event, list);
      }
    }
    this.idleRules = running.filter((r) => r.idleMs !== null);
    this.unackRules = running.filter((r) => r.unackMs !== null);
    this.matrix = new Matrix(policy, (calendarId) =>
      calendarId ? (policy.calendars[calendarId]?.timezone ?? 'UTC') : 'UTC',
    );
  }

  /** This compiled policy (shared, never changed after construction) with another host. */
  withHost(host: EngineHost): EngineContext {
    const copy = Object.create(EngineContext.prototype) as EngineContext;
    return Object.assign(copy, this, { host });
  }

  calendarOf(id: string): BusinessCalendar {
    return this.calendars.get(id) ?? this.wallClock;
  }

  slaById(id: string | null): CompiledSla | undefined {
    return id === null ? undefined : this.sla.find((s) => s.def.id === id);
  }

  /** A rule that runs (a disabled one is not found: a timer of it left in a state is stale). */
  rule(id: string): CompiledRule | undefined {
    return this.rules.find((r) => r.def.id === id && r.def.enabled !== false);
  }
}
