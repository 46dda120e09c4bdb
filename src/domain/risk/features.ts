/**
 * The risk features (issue 14): from a ticket at one moment (engine state, memo, requester
 * profile) the numbers a model reads, each with words an agent understands. The same code
 * runs live, in the simulator and offline. Pure, and only what is known at `at`: the state
 * and memo hold the past, the profile is what was known at `at`; nothing here reads a
 * resolution instant or a final code.
 *
 * Categorical attributes (channel, category, organization, requester, assignee, team/level,
 * the imported group, tags…) become numbers through encoders learned at training and stored
 * in the model: a smoothed rate of the bad outcome among training tickets with that value
 * (target encoding with a prior) and how often the value was seen (frequency). Training fits
 * them out of fold so that a training row never sees its own label.
 */
import type { RiskSubject } from './api.ts';
import { readMemo, type RiskMemoData } from './memo.ts';

const HOUR = 3600 * 1000;
const PRIORITY_RANK: Record<string, number> = { low: 0, normal: 1, high: 2, urgent: 3 };
const STATUS_RANK: Record<string, number> = { new: 0, open: 1, pending: 2, on_hold: 3, solved: 4, closed: 5 };
const PRIORITY_NAMES = ['low', 'normal', 'high', 'urgent'];

/** The categorical attributes, in a fixed order. */
export const CATEGORICALS = [
  'channel',
  'category',
  'subcategory',
  'symptom',
  'ci',
  'subject',
  'organization',
  'tier',
  'requester',
  'assignee',
  'team',
  'group',
  'tag',
] as const;
export type Categorical = (typeof CATEGORICALS)[number];

const CATEGORICAL_WORDS: Record<Categorical, string> = {
  channel: 'channel',
  category: 'category',
  subcategory: 'subcategory',
  symptom: 'symptom',
  ci: 'configuration item',
  subject: 'subject',
  organization: 'organization',
  tier: 'tier',
  requester: 'requester',
  assignee: 'assignee',
  team: 'team',
  group: 'assignment group',
  tag: 'tag',
};

/** Tag prefixes the importer writes (`impact:2`, `subcategory:…`); read defensively. */
const PREFIXED: Partial<Record<Categorical, string>> = { subcategory: 'subcategory:', symptom: 'symptom:', ci: 'ci:' };

function tagValue(tags: readonly string[], prefix: string): string | null {
  for (const t of tags) if (t.startsWith(prefix)) return t.slice(prefix.length);
  return null;
}

function tagLevel(tags: readonly string[], prefix: string): number {
  const v = tagValue(tags, prefix);
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

/** The values a ticket has for each categorical attribute now (`tag` may have several). */
export function categoricalValues(subject: RiskSubject): Record<Categorical, string[]> {
  const s = subject.state;
  const memo = readMemo(subject.memo);
  const tags = s.tags ?? [];
  const one = (v: string | null | undefined): string[] => (v === null || v === undefined || v === '' ? [] : [v]);
  const prefixes = Object.values(PREFIXED).concat(['impact:', 'urgency:']);
  return {
    channel: one(s.channel),
    category: one(s.category),
    subcategory: one(tagValue(tags, PREFIXED.subcategory as string)),
    symptom: one(tagValue(tags, PREFIXED.symptom as string)),
    ci: one(tagValue(tags, PREFIXED.ci as string)),
    subject: one(s.subject.trim().toLowerCase().slice(0, 120)),
    organization: one(s.organization.id),
    tier: one(s.organization.tier),
    requester: one(s.requester),
    assignee: one(s.assignee),
    team: one(`${s.team}/${s.level}`),
    group: one(memo.group),
    tag: tags.filter((t) => !prefixes.some((p) => t.startsWith(p))),
  };
}

/** One categorical encoder: per value, [tickets, tickets with the bad outcome]. */
export interface CategoryEncoder {
  prior: number;
  /** Smoothing strength: the prior counts as this many tickets. */
  m: number;
  values: Record<string, [number, number]>;
}
export type Encoders = Record<Categorical, CategoryEncoder>;

/** Accumulates encoder counts (a weight per observation, so each ticket counts once in total). */
export class EncoderFitter {
  private readonly counts = new Map<Categorical, Map<string, [number, number]>>();
  private n = 0;
  private bad = 0;

  add(values: Record<Categorical, string[]>, bad: boolean, weight: number): void {
    this.n += weight;
    if (bad) this.bad += weight;
    for (const c of CATEGORICALS) {
      const vs = values[c];
      if (vs.length === 0) continue;
      let map = this.counts.get(c);
      if (!map) this.counts.set(c, (map = new Map()));
      const w = weight / vs.length;
      for (const v of vs) {
        const cell = map.get(v) ?? [0, 0];
        cell[0] += w;
        if (bad) cell[1] += w;
        map.set(v, cell);
      }
    }
  }

  fit(m: number): Encoders {
    const prior = this.n > 0 ? this.bad / this.n : 0.5;
    const out = {} as Encoders;
    for (const c of CATEGORICALS) {
      const values: Record<string, [number, number]> = {};
      const map = this.counts.get(c);
      if (map) {
        for (const k of [...map.keys()].sort()) {
          const [n, b] = map.get(k) as [number, number];
          values[k] = [round4(n), round4(b)];
        }
      }
      out[c] = { prior: round4(prior), m, values };
    }
    return out;
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function encode(enc: CategoryEncoder, vs: readonly string[]): { rate: number; count: number } {
  if (vs.length === 0) return { rate: enc.prior, count: 0 };
  let best = -1;
  let count = 0;
  for (const v of vs) {
    const cell = enc.values[v];
    const n = cell ? cell[0] : 0;
    const b = cell ? cell[1] : 0;
    const rate = (b + enc.m * enc.prior) / (n + enc.m);
    if (rate > best) {
      best = rate;
      count = n;
    }
  }
  return { rate: best, count };
}

/** The value of a feature of a subject, with the context its words need. */
interface Ctx {
  subject: RiskSubject;
  memo: RiskMemoData;
  cats: Record<Categorical, string[]>;
}

interface NumericFeature {
  name: string;
  value: (c: Ctx) => number;
  words: (x: number, c: Ctx) => string;
}

const hours = (ms: number): number => Math.round((ms / HOUR) * 100) / 100;
const fmtH = (h: number): string => (Math.abs(h) >= 48 ? `${Math.round(h / 24)} days` : `${Math.round(h * 10) / 10} h`);
const times = (n: number, one: string, many: string): string => `${one} ${n} ${n === 1 ? 'time' : many}`;

function clockShareLeft(c: Ctx, metric: string): number {
  const due = c.memo.due[metric];
  const from = c.memo.dueFrom[metric];
  const clock = c.subject.state.clocks[metric as keyof typeof c.subject.state.clocks];
  if (!clock || due === undefined || from === undefined || c.memo.done[metric]) return 1.5;
  if (clock.breached) return -1;
  const span = Math.max(due - from, 60_000);
  return Math.max(-1, Math.min(1, (due - c.subject.at) / span));
}

function clockHoursLeft(c: Ctx, metric: string): number {
  const due = c.memo.due[metric];
  if (due === undefined || c.memo.done[metric]) return 999;
  return Math.max(-999, Math.min(999, hours(due - c.subject.at)));
}

const NUMERIC: NumericFeature[] = [
  { name: 'priority', value: (c) => PRIORITY_RANK[c.subject.state.priority] ?? 1, words: (x) => `priority ${PRIORITY_NAMES[x] ?? x}` },
  {
    name: 'priority_at_opening',
    value: (c) => c.memo.firstPriority ?? PRIORITY_RANK[c.subject.state.priority] ?? 1,
    words: (x) => `opened as ${PRIORITY_NAMES[x] ?? x}`,
  },
  { name: 'impact', value: (c) => tagLevel(c.subject.state.tags ?? [], 'impact:'), words: (x) => (x ? `impact ${x}` : 'no impact given') },
  { name: 'urgency', value: (c) => tagLevel(c.subject.state.tags ?? [], 'urgency:'), words: (x) => (x ? `urgency ${x}` : 'no urgency given') },
  {
    name: 'contract_value',
    value: (c) => c.subject.state.organization.contract_value ?? -1,
    words: (x) => (x < 0 ? 'no contract value' : `contract value ${String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} a year`),
  },
  { name: 'has_assignee', value: (c) => (c.subject.state.assignee ? 1 : 0), words: (x) => (x ? 'has an assignee' : 'nobody assigned') },
  { name: 'status', value: (c) => STATUS_RANK[c.subject.state.status] ?? 1, words: (_x, c) => `status ${c.subject.state.status}` },
  { name: 'lines', value: (c) => c.memo.lines, words: (x) => `${x} changes so far` },
  { name: 'status_changes', value: (c) => c.memo.statusChanges, words: (x) => `status changed ${x} times` },
  { name: 'priority_ups', value: (c) => c.memo.priorityUps, words: (x) => times(x, 'priority raised', 'times') },
  { name: 'priority_downs', value: (c) => c.memo.priorityDowns, words: (x) => times(x, 'priority lowered', 'times') },
  { name: 'reassignments', value: (c) => c.subject.state.reassignments, words: (x) => times(x, 'reassigned', 'times') },
  { name: 'assignments', value: (c) => c.memo.assignments, words: (x) => times(x, 'assigned', 'times') },
  { name: 'group_changes', value: (c) => c.memo.groupChanges, words: (x) => times(x, 'moved between assignment groups', 'times') },
  { name: 'team_moves', value: (c) => c.subject.state.teamMoves, words: (x) => times(x, 'moved between teams', 'times') },
  { name: 'bounces', value: (c) => c.subject.state.bounces, words: (x) => times(x, 'sent back to a team it had left', 'times') },
  { name: 'reopens', value: (c) => c.subject.state.reopens, words: (x) => times(x, 'reopened', 'times') },
  { name: 'pending_times', value: (c) => c.memo.pendingTimes, words: (x) => times(x, 'put on hold or pending', 'times') },
  { name: 'escalations', value: (c) => c.subject.state.escalations, words: (x) => times(x, 'escalated', 'times') },
  { name: 'deescalations', value: (c) => c.memo.deescalations, words: (x) => times(x, 'de-escalated', 'times') },
  { name: 'public_agent', value: (c) => c.memo.publicAgent, words: (x) => `${x} public replies by staff` },
  { name: 'public_customer', value: (c) => c.memo.publicCustomer, words: (x) => `${x} messages from the customer` },
  { name: 'back_and_forth', value: (c) => c.memo.backAndForth, words: (x) => `${x} back-and-forth exchanges` },
  { name: 'age_hours', value: (c) => hours(c.subject.at - c.subject.state.createdAt), words: (x) => `open for ${fmtH(x)}` },
  {
    name: 'hours_since_change',
    value: (c) => hours(c.subject.at - (c.memo.lastInputAt ?? c.subject.state.createdAt)),
    words: (x) => `${fmtH(x)} since the last change`,
  },
  {
    name: 'hours_in_status',
    value: (c) => hours(c.subject.at - (c.memo.lastStatusAt ?? c.subject.state.createdAt)),
    words: (x, c) => `${fmtH(x)} in status ${c.subject.state.status}`,
  },
  {
    name: 'hours_since_staff_reply',
    value: (c) => (c.memo.lastStaffReplyAt === null ? -1 : hours(c.subject.at - c.memo.lastStaffReplyAt)),
    words: (x) => (x < 0 ? 'no public reply by staff yet' : `${fmtH(x)} since staff last replied`),
  },
  {
    name: 'hours_since_customer_reply',
    value: (c) => (c.memo.lastCustomerReplyAt === null ? -1 : hours(c.subject.at - c.memo.lastCustomerReplyAt)),
    words: (x) => (x < 0 ? 'no message from the customer yet' : `${fmtH(x)} since the customer last wrote`),
  },
  {
    name: 'opened_hour',
    value: (c) => new Date(c.subject.state.createdAt).getUTCHours(),
    words: (x) => `opened at ${x}:00 UTC`,
  },
  {
    name: 'opened_weekday',
    value: (c) => new Date(c.subject.state.createdAt).getUTCDay(),
    words: (x) => `opened on a ${['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][x] ?? x}`,
  },
  {
    name: 'first_response_left',
    value: (c) => clockShareLeft(c, 'first_response'),
    words: (x) => (x > 1 ? 'first response not owed' : x < 0 ? 'first response overdue' : `${Math.round(x * 100)}% of first-response time left`),
  },
  {
    name: 'resolution_left',
    value: (c) => clockShareLeft(c, 'resolution'),
    words: (x) => (x > 1 ? 'no resolution clock running' : x < 0 ? 'resolution overdue' : `${Math.round(x * 100)}% of resolution time left`),
  },
  {
    name: 'resolution_hours_left',
    value: (c) => clockHoursLeft(c, 'resolution'),
    words: (x) => (x >= 999 ? 'no resolution due' : x < 0 ? `resolution due ${fmtH(-x)} ago` : `resolution due in ${fmtH(x)}`),
  },
  { name: 'sla_warnings', value: (c) => c.memo.slaWarnings, words: (x) => `${x} SLA warnings so far` },
  { name: 'sla_breaches', value: (c) => c.memo.slaBreaches, words: (x) => `${x} SLA breaches so far` },
  { name: 'customer_open', value: (c) => c.subject.profile.openTickets, words: (x) => `requester has ${x} other open tickets` },
  { name: 'customer_tickets_90d', value: (c) => c.subject.profile.tickets90d, words: (x) => `requester's tickets in the last 90 days: ${x}` },
  { name: 'customer_breaches_90d', value: (c) => c.subject.profile.breaches90d, words: (x) => `requester's breaches in the last 90 days: ${x}` },
  {
    name: 'customer_escalations_90d',
    value: (c) => c.subject.profile.escalations90d,
    words: (x) => `requester's escalations in the last 90 days: ${x}`,
  },
  {
    name: 'risk_flags',
    value: (c) => Object.values(c.subject.state.risk).filter(Boolean).length,
    words: (x, c) =>
      x === 0
        ? 'no risk words'
        : `risk words: ${Object.entries(c.subject.state.risk)
            .filter(([, v]) => v)
            .map(([k]) => k)
            .join(', ')}`,
  },
  { name: 'sentiment', value: (c) => Math.round(c.subject.state.sentiment * 100) / 100, words: (x) => `sentiment ${x}` },
  {
    name: 'sentiment_trend',
    value: (c) => Math.round((c.subject.state.sentiment - (c.memo.sentimentFirst ?? c.subject.state.sentiment)) * 100) / 100,
    words: (x) => (x === 0 ? 'sentiment unchanged' : x < 0 ? `sentiment fell by ${-x}` : `sentiment rose by ${x}`),
  },
];

/** Encoded features of each categorical: the smoothed bad-outcome rate and how often seen. */
const ENCODED: { name: string; cat: Categorical; kind: 'rate' | 'count' }[] = CATEGORICALS.flatMap((cat) => [
  { name: `${cat}_rate`, cat, kind: 'rate' as const },
  { name: `${cat}_seen`, cat, kind: 'count' as const },
]);

export const FEATURE_NAMES: readonly string[] = [...NUMERIC.map((f) => f.name), ...ENCODED.map((f) => f.name)];

/** A subject's features: the numbers, and the words for any one of them. */
export interface FeatureRow {
  values: number[];
  describe(index: number, value?: number): string;
}

export function features(subject: RiskSubject, encoders: Encoders): FeatureRow {
  const ctx: Ctx = { subject, memo: readMemo(subject.memo), cats: categoricalValues(subject) };
  return featuresFrom(ctx, encoders);
}

/** The features that need no encoder (training computes them once per line). */
export function numericFeatures(subject: RiskSubject): number[] {
  const ctx: Ctx = { subject, memo: readMemo(subject.memo), cats: EMPTY_CATS };
  return NUMERIC.map((f) => f.value(ctx));
}

/** The encoded features of a line's categorical values. */
export function encodedFeatures(cats: Record<Categorical, string[]>, encoders: Encoders): number[] {
  const values: number[] = [];
  for (const f of ENCODED) {
    const e = encode(encoders[f.cat], cats[f.cat]);
    values.push(f.kind === 'rate' ? Math.round(e.rate * 1e4) / 1e4 : Math.round(Math.log1p(e.count) * 100) / 100);
  }
  return values;
}

const EMPTY_CATS = Object.fromEntries(CATEGORICALS.map((c) => [c, []])) as unknown as Record<Categorical, string[]>;

function featuresFrom(ctx: Ctx, encoders: Encoders): FeatureRow {
  const values = [...NUMERIC.map((f) => f.value(ctx)), ...encodedFeatures(ctx.cats, encoders)];
  return {
    values,
    describe(index: number, value = values[index] as number): string {
      if (index < NUMERIC.length) return (NUMERIC[index] as NumericFeature).words(value, ctx);
      const f = ENCODED[index - NUMERIC.length];
      if (!f) return `feature ${index}`;
      const vs = ctx.cats[f.cat];
      const word = CATEGORICAL_WORDS[f.cat];
      const named = vs.length === 0 ? `no ${word}` : `${word} ${vs.join(', ')}`;
      if (f.kind === 'rate') return `${named} (past tickets missing the target: ${Math.round(value * 100)}%)`;
      const n = Math.round(Math.expm1(value));
      return `${named} (seen on ${n} past tickets)`;
    },
  };
}
