/**
 * Demo data for an empty database, the same on every run for a given start: organizations of
 * each tier, their customers, an account for every person the reference policy names (with the
 * role the policy implies: managers marc and vera, leads lina and erin, the rest agents, plus an
 * admin), and 160 tickets written from the corpus (demo-corpus.ts), all made through the use
 * cases so their events are real:
 *   - a history over the two weeks before `now`: mostly answered and solved within their
 *     targets, some waiting on the customer; legal, billing and churn texts trip the policy's
 *     rules, so about one ticket in six is escalated; CSAT answers; two reviews with lessons;
 *   - a live queue placed minutes to hours before `now` (LIVE): on the 24x7 enterprise SLA, so
 *     at any start — night, weekend, holiday — countdowns run, warnings come due within minutes
 *     and a few breaches are fresh (minutes or hours old, never days).
 * test/app/seed-demo.test.ts seeds at several injected starts and checks these promises.
 */
import type { Actor, Role } from '../auth/roles.ts';
import { ManualClock } from '../domain/clock.ts';
import { DomainError } from '../domain/errors.ts';
import type { Priority, Status } from '../domain/policy/types.ts';
import type { Store } from '../store/connect.ts';
import { readFileSync } from 'node:fs';
import { addComment } from './add-comment.ts';
import { earliestTimerDue } from '../store/timers-repo.ts';
import { cancelHistory } from '../notify/outbox-queue.ts';
import { applyPolicy } from './apply-policy.ts';
import { acknowledgeEscalation } from './escalate-ticket.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import { fireDueTimers } from './fire-timers.ts';
import { LiveEngine } from './live-engine.ts';
import { PolicyRegistry } from './policy-registry.ts';
import { createTicket } from './create-ticket.ts';
import { createUser } from './create-user.ts';
import type { AppDeps } from './deps.ts';
import { createOrganization } from './manage-organization.ts';
import { ensureIntakeOrganization } from './intake-organization.ts';
import { updateTicket } from './update-ticket.ts';
import { recordReview } from './record-review.ts';
import { createDrill } from './create-drill.ts';
import { rateTicket } from '../intake/record-csat.ts';
import { DEMO_CORPUS, DEMO_OPENERS, type DemoKind, type DemoText } from './demo-corpus.ts';
import { readTicketChecklists, setChecklistItem } from './checklists.ts';
import { readDbHistory } from './risk-history.ts';
import { setRiskModel } from './risk-model.ts';
import { TrainError, trainRiskModel } from '../risk/train.ts';
import { mulberry32 } from '../domain/random.ts';

export const DEMO_PASSWORD = 'escalon-demo';

/** The reference escalation policy, shipped with the project (policies/reference.policy.yaml). */
export const REFERENCE_POLICY = readFileSync(new URL('../../policies/reference.policy.yaml', import.meta.url), 'utf8');

const STAFF: Array<[string, string, Role]> = [
  ['admin@example.com', 'Ada Admin', 'admin'],
  ['marc@example.com', 'Marc Manager', 'manager'],
  ['vera@example.com', 'Vera Executive', 'manager'],
  ['lina@example.com', 'Lina Lead', 'lead'],
  ['erin@example.com', 'Erin Lead', 'lead'],
  ['ana@example.com', 'Ana', 'agent'],
  ['ben@example.com', 'Ben', 'agent'],
  ['chen@example.com', 'Chen', 'agent'],
  ['sam@example.com', 'Sam', 'agent'],
  ['sofia@example.com', 'Sofia', 'agent'],
  ['eli@example.com', 'Eli', 'agent'],
  ['eva@example.com', 'Eva', 'agent'],
  ['bea@example.com', 'Bea', 'agent'],
  ['lea@example.com', 'Lea', 'agent'],
];

const ORGS: Array<[string, string, number, string]> = [
  ['Northwind Traders', 'standard', 12_000, 'marc@example.com'],
  ['Blue Harbor Cafe', 'standard', 4_800, 'marc@example.com'],
  ['Contoso Ltd', 'premium', 85_000, 'marc@example.com'],
  ['Fabrikam Inc', 'premium', 120_000, 'vera@example.com'],
  ['Initech', 'enterprise', 450_000, 'vera@example.com'],
  ['Umbrella Health', 'enterprise', 1_200_000, 'vera@example.com'],
];

/** More customers per organization, named, so the queues show people rather than roles. */
const EXTRA_PEOPLE: Record<string, string[]> = {
  'Northwind Traders': ['Priya Shah'],
  'Blue Harbor Cafe': ['Tom Berger'],
  'Contoso Ltd': ['Grace Okafor', 'Luis Ortega'],
  'Fabrikam Inc': ['Hannah Weiss'],
  Initech: ['Peter Gibbons', 'Samir Nagheenanajar'],
  'Umbrella Health': ['Jill Valentine', 'Marta Kowalska'],
};

const INTERNAL_NOTES = [
  'checked the logs, this matches the known issue from last week.',
  'reproduced on staging with their settings.',
  'customer is on the old plan; keep that in mind before promising anything.',
  'asked engineering on chat, they are looking.',
  'second ticket from them this week, same root cause.',
];
const CSAT_HAPPY = ['Quick and clear, thank you!', 'Solved on the first try.', null, 'Friendly and helpful.', null];
const CSAT_UNHAPPY = ['Took far too long.', 'Solved, but I had to explain it three times.', 'The workaround is not a fix.', null];

/** A live ticket, placed `ago` minutes before the start: its actions are minutes after its creation. */
interface LivePlan {
  ago: number;
  tier: 'enterprise' | 'premium' | 'standard';
  priority: Priority;
  channel: string;
  kind?: DemoKind;
  assignAfter?: number;
  replyAfter?: number;
  followUpAfter?: number;
  status?: Status;
  statusAfter?: number;
}

/**
 * The live queue. Enterprise tickets run on the 24x7 calendar (their SLA's), so whatever the
 * hour or day of the start their countdowns run: targets there are urgent 15m/4h, high 30m/8h,
 * normal 2h/24h, low 4h/48h (first response/resolution), warnings at 75% and 10 minutes before.
 * The comments give what the start shows. Standard and premium tickets follow the US business
 * calendar: paused at night, on weekends and holidays, running in office hours.
 */
const LIVE: readonly LivePlan[] = [
  { ago: 4, tier: 'enterprise', priority: 'urgent', channel: 'phone' }, // first response due in 11m, warning in 7m
  { ago: 100, tier: 'enterprise', priority: 'normal', channel: 'web', assignAfter: 20 }, // first response due in 20m, warning in 10m
  { ago: 160, tier: 'enterprise', priority: 'normal', channel: 'email', assignAfter: 30 }, // first response breached 40m ago
  { ago: 265, tier: 'enterprise', priority: 'urgent', channel: 'phone', assignAfter: 2, replyAfter: 8 }, // resolution breached 25m ago: escalated
  { ago: 45, tier: 'enterprise', priority: 'normal', channel: 'email', kind: 'legal', assignAfter: 10 }, // to legal
  { ago: 55, tier: 'standard', priority: 'normal', channel: 'web', kind: 'billing' }, // to billing
  { ago: 12, tier: 'enterprise', priority: 'high', channel: 'chat', assignAfter: 3 }, // first response due in 18m, warning in 10m
  { ago: 80, tier: 'enterprise', priority: 'normal', channel: 'email' }, // first response due in 40m, warning in 10m
  { ago: 300, tier: 'enterprise', priority: 'normal', channel: 'email', assignAfter: 10, replyAfter: 30, followUpAfter: 70 }, // next response due in 10m
  { ago: 170, tier: 'enterprise', priority: 'low', channel: 'chat' }, // first response due in 70m, warning in 10m
  { ago: 26, tier: 'enterprise', priority: 'high', channel: 'chat', assignAfter: 5, replyAfter: 15 }, // resolution due in 7.5h
  { ago: 35, tier: 'standard', priority: 'normal', channel: 'web' },
  { ago: 190, tier: 'premium', priority: 'high', channel: 'phone', kind: 'churn', assignAfter: 20, replyAfter: 35 }, // to management
  { ago: 520, tier: 'enterprise', priority: 'high', channel: 'phone', assignAfter: 5, replyAfter: 20 }, // resolution breached 40m ago: escalated
  { ago: 130, tier: 'enterprise', priority: 'high', channel: 'email', assignAfter: 15 }, // first response breached 100m ago
  { ago: 140, tier: 'premium', priority: 'high', channel: 'phone', assignAfter: 10, replyAfter: 25 },
  { ago: 8, tier: 'enterprise', priority: 'normal', channel: 'walk-in' }, // first response due in 1h52m
  { ago: 360, tier: 'enterprise', priority: 'normal', channel: 'email', assignAfter: 15, replyAfter: 40, status: 'pending', statusAfter: 45 }, // waiting on the customer
  { ago: 20, tier: 'standard', priority: 'low', channel: 'chat' },
  { ago: 75, tier: 'premium', priority: 'urgent', channel: 'phone', assignAfter: 5, replyAfter: 15 },
  { ago: 240, tier: 'enterprise', priority: 'normal', channel: 'chat', assignAfter: 10, replyAfter: 20, status: 'solved', statusAfter: 90 },
  { ago: 400, tier: 'standard', priority: 'normal', channel: 'email', assignAfter: 30, replyAfter: 60, followUpAfter: 120 },
  { ago: 600, tier: 'enterprise', priority: 'low', channel: 'web', assignAfter: 60, replyAfter: 90, status: 'on_hold', statusAfter: 100 },
  { ago: 15, tier: 'premium', priority: 'normal', channel: 'web' },
];

/** Lessons of two escalations the team learned from (record-review.ts). */
const REVIEWS: ReadonlyArray<{ owner: string; review: { root_cause: string; root_cause_detail: string; went_well: string; went_badly: string; actions: string[] } }> = [
  {
    owner: 'lina@example.com',
    review: {
      root_cause: 'process_gap',
      root_cause_detail: 'The ticket sat in the frontline queue over the weekend: nobody watched enterprise tickets outside US hours.',
      went_well: 'Once escalated, the specialist answered within 20 minutes and the customer was kept informed.',
      went_badly: 'The first response came after the target; the customer chased us twice before anyone replied.',
      actions: ['Add a weekend rota for enterprise tickets', 'Alert the on-call lead when an enterprise first response is at 75%'],
    },
  },
  {
    owner: 'bea@example.com',
    review: {
      root_cause: 'product_defect',
      root_cause_detail: 'A payment retry charged some cards twice after a timeout at the payment provider.',
      went_well: 'Billing recognised the pattern from the first ticket and reversed all affected charges the same day.',
      went_badly: 'Frontline did not know whom to ask; the ticket bounced once before reaching billing.',
      actions: ['Make payment retries idempotent', 'Document the billing escalation path in the frontline handbook'],
    },
  },
];

/** The corpus in a seeded order, plain texts three times as often as legal, billing and churn ones (escalation rate 10–25%). */
function weightedTexts(rand: () => number): DemoText[] {
  const list = DEMO_CORPUS.flatMap((c) => (c.kind === 'plain' ? [c, c, c] : [c]));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j] as DemoText, list[i] as DemoText];
  }
  return list;
}


export interface DemoSignIn {
  email: string;
  role: Role;
  organization?: string;
}

export async function databaseIsEmpty(store: Store): Promise<boolean> {
  const row = await store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}

export async function seedDemo(
  store: Store,
  options: { tickets?: number; now?: number; csat?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<DemoSignIn[]> {
  if (!(await databaseIsEmpty(store))) {
    throw new DomainError('VALIDATION_FAILED', 'the database already has users: demo data goes only into an empty database', {});
  }
  const total = options.tickets ?? 160;
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;
  const now = options.now ?? Date.now();
  const start = Math.floor(now / day) * day - 14 * day;
  const clock = new ManualClock(start);
  const live = new LiveEngine(new PolicyRegistry(), clock);
  const deps: AppDeps & { live: LiveEngine } = { store, clock, attachmentLimit: 5 * 1024 * 1024, engine: live, live, history: true };
  const rand = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const signIns: DemoSignIn[] = [];

  const actor = (u: { id: string; email: string; name: string; role: Role; organizationId: string | null }): Actor => ({
    userId: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organizationId: u.organizationId,
  });
  const staff: Actor[] = [];
  for (const [email, name, role] of STAFF) {
    staff.push(actor(await createUser(deps, { email, name, role, password: DEMO_PASSWORD })));
    signIns.push({ email, role });
  }
  const agents = staff.filter((s) => s.role === 'agent');
  const customers: Array<Actor & { tier: string }> = [];
  for (const [name, tier, value, manager] of ORGS) {
    const org = await createOrganization(deps, { name, tier, contractValue: value, accountManager: manager });
    const domain = `${name.split(' ')[0]?.toLowerCase() ?? 'org'}.example`;
    for (const person of ['alex', 'kim', ...(EXTRA_PEOPLE[name] ?? [])]) {
      const email = `${person.split(' ')[0]?.toLowerCase()}@${domain}`;
      const full = person.includes(' ') ? person : `${person[0]?.toUpperCase()}${person.slice(1)}`;
      customers.push({ ...actor(await createUser(deps, { email, name: `${full} (${name})`, role: 'customer', organizationId: org.id, password: DEMO_PASSWORD })), tier });
      signIns.push({ email, role: 'customer', organization: `${name} (${tier})` });
    }
  }

  // The reference policy is in force before the first ticket, so every ticket has its clocks,
  // rules and escalations from the start (timers that came due meanwhile fire when served).
  const admin = staff[0];
  if (admin) await applyPolicy(deps, admin, REFERENCE_POLICY, 'yaml');

  // Between tickets, the timers that came due fire at their moments (warnings, breaches,
  // escalations), and the leads acknowledge most escalations soon after — so the demo shows
  // escalations at every level, some still waiting, rather than every ticket at the top.
  // Who acknowledges: the receiving team's lead, else its manager, else a manager (acknowledgement rights).
  const parsed = parsePolicy(REFERENCE_POLICY);
  const teams = new Map(parsed.ok ? parsed.policy.teams.map((t) => [t.id, t]) : []);
  const byEmail = (email: string | undefined) => staff.find((s) => s.email === email);
  const acknowledgerOf = (team: string | null) => {
    const def = team ? teams.get(team) : undefined;
    return byEmail(def?.lead) ?? byEmail(def?.manager) ?? staff.find((s) => s.role === 'manager') ?? admin;
  };
  const runTimersUntil = async (until: number) => {
    for (;;) {
      const due = await earliestTimerDue(store.db);
      if (due === null || due >= until) break;
      clock.set(Math.max(due, clock.now()));
      await fireDueTimers({ store, clock, live, owner: 'seed' });
      const waiting = await store.db.selectFrom('tickets').select(['key', 'team', 'engine_state']).where('ack_pending', '=', 1).execute();
      const latest = clock.now();
      for (const { key, team, engine_state } of waiting) {
        const since = (JSON.parse(engine_state ?? '{}') as { pendingAck?: { at: number } }).pendingAck?.at;
        const lead = acknowledgerOf(team);
        if (!lead || since === undefined || rand() >= 0.8) continue;
        // The lead acknowledges 5–25 minutes after the escalation, before the next step is due
        // (one not acknowledged by `until` stays waiting: the live queue shows it so).
        const ackAt = since + 300_000 + Math.floor(rand() * 1_200_000);
        if (ackAt >= until) continue;
        clock.set(ackAt);
        await acknowledgeEscalation(deps, lead, key);
      }
      clock.set(latest);
    }
    clock.set(Math.max(until, clock.now()));
  };

  // The tickets: a history over the last two weeks (mostly solved in time, a few waiting on the
  // customer), then the live queue of the last hours, placed relative to `now` so that after a
  // start the clocks are running, warnings come due within minutes and a few breaches are fresh.
  const liveCount = Math.min(LIVE.length, Math.max(0, Math.round(total * 0.4)));
  const historyCount = total - liveCount;
  const historyEnd = now - 26 * hour;
  const step = Math.floor((historyEnd - start) / Math.max(1, historyCount));
  const schedule: Array<{ at: number; seq: number; run: () => Promise<void> }> = [];
  const later = (at: number, run: () => Promise<void>) => schedule.push({ at: Math.round(at), seq: schedule.length, run });
  const texts = weightedTexts(rand);
  let textIndex = 0;
  const nextText = (kind?: DemoKind): DemoText => {
    if (kind) return DEMO_CORPUS.filter((c) => c.kind === kind)[Math.floor(rand() * DEMO_CORPUS.filter((c) => c.kind === kind).length)] as DemoText;
    return texts[textIndex++ % texts.length] as DemoText;
  };
  const liveCursor = new Map<Priority, number>();
  const livePlain = (priority: Priority): DemoText => {
    const fitting = DEMO_CORPUS.filter((c) => c.kind === 'plain' && c.priority === priority);
    const n = liveCursor.get(priority) ?? 0;
    liveCursor.set(priority, n + 1);
    return fitting[n % fitting.length] ?? nextText();
  };
  const handlerOf = (text: DemoText, fallback: Actor): Actor => byEmail(text.kind === 'billing' ? 'bea@example.com' : text.kind === 'legal' ? 'lea@example.com' : text.kind === 'churn' ? 'marc@example.com' : undefined) ?? fallback;
  const solved: Array<{ key: string; customer: Actor; text: DemoText }> = [];
  const frontline = agents.filter((a) => ['ana@example.com', 'ben@example.com', 'chen@example.com'].includes(a.email));
  const opened = (customer: Actor, text: DemoText, n: number) => `${DEMO_OPENERS[n % DEMO_OPENERS.length]}${DEMO_OPENERS[n % DEMO_OPENERS.length] ? '\n\n' : ''}${text.body}\n\n${customer.name.split(' (')[0]}`;
  let created = 0;
  const open = async (at: number, customer: Actor, text: DemoText, agent: Actor, channel: string) => {
    clock.set(Math.max(at, clock.now()));
    const { ticket } = await createTicket(deps, agent, {
      requesterId: customer.userId,
      subject: text.subject,
      body: opened(customer, text, created),
      channel,
      priority: text.priority,
      tags: text.kind === 'plain' ? (rand() < 0.25 ? [text.product.toLowerCase().replace(/[^a-z0-9]+/g, '-')] : []) : [text.kind],
    });
    created++;
    options.onProgress?.(created, total);
    return ticket.key;
  };

  // The receiving team works through its checklists before solving (required items must be done):
  // each item it does is ticked at its own moment between `from` and `to`; at the solve, `tickAll`
  // ticks whatever is still open and required (a checklist attached late).
  const planChecklists = async (handler: Actor, key: string, from: number, to: number) => {
    for (const c of (await readTicketChecklists(deps, handler, key)).checklists) {
      for (const item of c.items) {
        if (item.done || (!item.required && rand() < 0.4)) continue;
        later(from + rand() * (to - from), async () => {
          await setChecklistItem(deps, handler, key, { checklist: c.checklist, item: item.id, done: true });
        });
      }
    }
  };
  const tickAll = async (handler: Actor, key: string) => {
    for (const c of (await readTicketChecklists(deps, handler, key)).checklists) {
      for (const item of c.items) if (!item.done && item.required) await setChecklistItem(deps, handler, key, { checklist: c.checklist, item: item.id, done: true });
    }
  };

  const replyDelay = { urgent: [5, 12], high: [8, 25], normal: [15, 70], low: [30, 150] } as const;
  const solveDelay = { urgent: [60, 200], high: [60, 360], normal: [60, 420], low: [120, 1200] } as const;
  const between = ([lo, hi]: readonly [number, number]) => Math.round((lo + rand() * (hi - lo)) * minute);
  for (let i = 0; i < historyCount; i++) {
    const at = start + i * step + Math.floor(rand() * step * 0.6);
    const customer = pick(customers);
    const text = nextText();
    const agent = pick(frontline.length > 0 ? frontline : agents);
    const channel = pick(['email', 'email', 'web', 'web', 'phone', 'chat', 'api']);
    const fate = rand();
    later(at, async () => {
      const key = await open(at, customer, text, agent, channel);
      const handler = handlerOf(text, agent);
      const replyAt = at + between(replyDelay[text.priority]);
      later(replyAt, async () => {
        await updateTicket(deps, staff[3] ?? agent, key, { assigneeId: handler.userId });
        if (rand() < 0.3) await addComment(deps, handler, key, { body: `Internal: ${pick(INTERNAL_NOTES)}`, public: false });
        await addComment(deps, handler, key, { body: text.reply, public: true });
        if (fate < 0.1) return await updateTicket(deps, handler, key, { status: 'pending' }).then(() => undefined);
        if (fate < 0.14) return await updateTicket(deps, handler, key, { status: 'on_hold' }).then(() => undefined);
        const doneAt = replyAt + between(solveDelay[text.priority]);
        if (rand() < 0.55) later(replyAt + (doneAt - replyAt) / 2, async () => void (await addComment(deps, customer, key, { body: text.followUp, public: true })));
        await planChecklists(handler, key, replyAt, doneAt - minute);
        later(doneAt, async () => {
          await tickAll(handler, key);
          await updateTicket(deps, handler, key, { status: 'solved' });
          solved.push({ key, customer, text });
          if (fate > 0.8) later(doneAt + 2 * day, async () => void (await updateTicket(deps, handler, key, { status: 'closed' })));
        });
      });
    });
  }
  for (const plan of LIVE.slice(0, liveCount)) {
    const at = now - plan.ago * minute;
    const org = pick(customers.filter((c) => c.tier === plan.tier));
    // A live ticket reads like its priority: an outage is urgent, a question is low.
    const text = plan.kind ? nextText(plan.kind) : livePlain(plan.priority);
    const agent = pick(frontline.length > 0 ? frontline : agents);
    later(at, async () => {
      const key = await open(at, org, { ...text, priority: plan.priority }, agent, plan.channel);
      const handler = handlerOf(text, agent);
      if (plan.assignAfter !== undefined) later(at + plan.assignAfter * minute, async () => void (await updateTicket(deps, staff[3] ?? agent, key, { assigneeId: handler.userId })));
      if (plan.replyAfter !== undefined) later(at + plan.replyAfter * minute, async () => void (await addComment(deps, handler, key, { body: text.reply, public: true })));
      if (plan.followUpAfter !== undefined) later(at + plan.followUpAfter * minute, async () => void (await addComment(deps, org, key, { body: text.followUp, public: true })));
      if (plan.status) {
        later(at + (plan.statusAfter ?? 1) * minute, async () => {
          if (plan.status === 'solved' || plan.status === 'closed') await tickAll(handler, key);
          await updateTicket(deps, handler, key, { status: plan.status as Status });
        });
      }
    });
  }
  // Eight days in, the team trains an escalation-risk model on its own finished tickets and puts
  // it in force (docs/risk.md): from then on every change is scored live, the likely-to-breach
  // queue fills and the dashboard measures the model on the tickets solved since.
  if (admin && parsed.ok) {
    const policy = parsed.policy;
    later(start + 8 * day, async () => {
      const history = await readDbHistory(store, 'breach');
      const bad = new Map([...history.bad].filter(([ref]) => history.finished.has(ref)));
      try {
        const { file } = trainRiskModel({ lines: history.lines, bad, policy, target: 'breach', seed: 42, cut: null, trainedAt: new Date(clock.now()), labelledOnly: true, lenient: true });
        await setRiskModel({ ...deps, risk: live.risk }, admin, file);
      } catch (e) {
        // Too few finished tickets (a small --tickets demo), or all with one outcome: no model.
        if (!(e instanceof TrainError)) throw e;
      }
    });
  }
  // Run the schedule in time order (actions add later actions as they go).
  for (;;) {
    schedule.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = schedule.shift();
    if (!next || next.at > now) break;
    await runTimersUntil(next.at);
    clock.set(Math.max(next.at, clock.now()));
    await next.run();
  }

  // Satisfaction: most solved customers answer the survey, angrier texts rate lower.
  if (options.csat !== false) {
    for (const s of solved) {
      if (rand() >= 0.6) continue;
      const base = s.text.mood === 'angry' ? 3 : s.text.mood === 'worried' ? 4 : 5;
      const rating = Math.max(1, Math.min(5, base - (rand() < 0.25 ? 1 + Math.floor(rand() * 2) : 0) + (rand() < 0.2 ? 1 : 0)));
      await rateTicket(deps, s.customer, s.key, { rating, comment: rating >= 4 ? pick(CSAT_HAPPY) : pick(CSAT_UNHAPPY) });
    }
  }
  // Two post-escalation reviews with lessons, on solved tickets that went up.
  const reviewed = await store.db
    .selectFrom('tickets')
    .select('key')
    .where('status', 'in', ['solved', 'closed'])
    .where('id', 'in', (eb) => eb.selectFrom('events').select('ticket_id').where('type', '=', 'ticket.escalated'))
    .orderBy('number')
    .limit(REVIEWS.length)
    .execute();
  const manager = byEmail('marc@example.com') ?? admin;
  for (const [i, { key }] of reviewed.entries()) {
    const r = REVIEWS[i];
    if (!r || !manager) continue;
    const owner = byEmail(r.owner) ?? manager;
    const due = new Date(now + 7 * day).toISOString().slice(0, 10);
    await recordReview(deps, manager, key, { ...r.review, actions: r.review.actions.map((a) => ({ description: a, owner_id: owner.userId, due })) });
  }
  // A drill ready to practise: the shipped three-ticket scenario, for every agent (docs/drills.md).
  if (manager) await createDrill(deps, manager, { name: 'Escalation basics (demo drill)', scenario: { kind: 'example', id: 'three-tickets' }, trainees: 'all_agents' });
  await runTimersUntil(now);
  // The web form's new senders land here (as on a fresh install).
  await ensureIntakeOrganization(deps, undefined);
  // Everything above is history: its notifications are never sent (and say so in the outbox).
  await cancelHistory(store.db);
  options.onProgress?.(total, total);
  return signIns;
}
