/**
 * Demo data for an empty database, the same on every run: organizations of each tier, their
 * customers, an account for every person the reference policy names (with the role the policy
 * implies: managers marc and vera, leads lina and erin, the rest agents, plus an admin), and
 * about 200 tickets in varied states with comments, all made through the use cases so their
 * events are real. Times are laid out over the 14 days before the start of today (UTC).
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
import { readTicketChecklists, setChecklistItem } from './checklists.ts';

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

const SUBJECTS = [
  'Cannot log in after password reset',
  'Invoice shows the wrong amount',
  'We were charged twice this month',
  'Export to CSV times out',
  'API returns 502 intermittently',
  'How do I add a new user?',
  'Dashboard is very slow since yesterday',
  'GDPR data request for a former employee',
  'Our lawyer asks about the data processing agreement',
  'We are considering switching to another provider',
  'Mobile app crashes on start',
  'Webhook deliveries stopped',
  'Feature request: dark mode',
  'SSO with Okta fails with an error',
  'Need a refund for unused seats',
];

/** mulberry32: a tiny seeded PRNG, so the demo data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

export async function seedDemo(store: Store, options: { tickets?: number; now?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<DemoSignIn[]> {
  if (!(await databaseIsEmpty(store))) {
    throw new DomainError('VALIDATION_FAILED', 'the database already has users: demo data goes only into an empty database', {});
  }
  const total = options.tickets ?? 200;
  const day = 86_400_000;
  const start = Math.floor((options.now ?? Date.now()) / day) * day - 14 * day;
  const clock = new ManualClock(start);
  const live = new LiveEngine(new PolicyRegistry(), clock);
  const deps: AppDeps & { live: LiveEngine } = { store, clock, attachmentLimit: 5 * 1024 * 1024, engine: live, live, history: true };
  const rand = prng(42);
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
  const customers: Actor[] = [];
  for (const [name, tier, value, manager] of ORGS) {
    const org = await createOrganization(deps, { name, tier, contractValue: value, accountManager: manager });
    const domain = `${name.split(' ')[0]?.toLowerCase() ?? 'org'}.example`;
    for (const person of ['alex', 'kim']) {
      const email = `${person}@${domain}`;
      customers.push(actor(await createUser(deps, { email, name: `${person[0]?.toUpperCase()}${person.slice(1)} (${name})`, role: 'customer', organizationId: org.id, password: DEMO_PASSWORD })));
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
        // The lead acknowledges 5–25 minutes after the escalation, before the next step is due.
        clock.set(since + 300_000 + Math.floor(rand() * 1_200_000));
        await acknowledgeEscalation(deps, lead, key);
      }
      clock.set(latest);
    }
    clock.set(Math.max(until, clock.now()));
  };

  const step = Math.floor((14 * day) / total);
  const priorities: Priority[] = ['low', 'normal', 'normal', 'high', 'urgent'];
  for (let i = 0; i < total; i++) {
    await runTimersUntil(start + i * step);
    const customer = pick(customers);
    const agent = pick(agents);
    const useMatrix = rand() < 0.3;
    // Staff record what the customer reported (channel, priority, tags are staff's to set: a
    // customer may set only what the policy's customer_fields leaves to them).
    const { ticket } = await createTicket(deps, agent, {
      requesterId: customer.userId,
      subject: pick(SUBJECTS),
      body: `Hello, ${pick(['since this morning', 'for a week now', 'after the last update', 'again'])} we have a problem. Ticket ${i + 1} of the demo.`,
      channel: pick(['email', 'web', 'api']),
      ...(useMatrix ? { impact: (1 + Math.floor(rand() * 3)) as 1 | 2 | 3, urgency: (1 + Math.floor(rand() * 3)) as 1 | 2 | 3 } : { priority: pick(priorities) }),
      tags: rand() < 0.3 ? [pick(['vip', 'billing', 'outage', 'mobile', 'sso'])] : [],
    });
    // How far this ticket got: a spread of every status.
    const stage = Math.floor(rand() * 7);
    if (stage === 0) continue; // stays new
    clock.advance(Math.floor(rand() * 3_600_000));
    if (rand() < 0.7) await updateTicket(deps, staff[3] ?? agent, ticket.key, { assigneeId: agent.userId });
    if (rand() < 0.4) await addComment(deps, agent, ticket.key, { body: 'Internal: checked the logs, looks like the known issue.', public: false });
    clock.advance(Math.floor(rand() * 3_600_000));
    await addComment(deps, agent, ticket.key, { body: 'Thanks for reaching out, we are looking into it.', public: true });
    const path: Status[] = [[], ['pending'], ['on_hold'], ['solved'], ['pending', 'solved'], ['solved', 'closed']][stage - 1] as Status[];
    for (const status of path) {
      clock.advance(Math.floor(rand() * 7_200_000));
      if (status === 'solved' && rand() < 0.5) await addComment(deps, customer, ticket.key, { body: 'That fixed it, thank you!', public: true });
      if (status === 'solved' || status === 'closed') {
        // The receiving team works through its checklists (required items must be done to solve).
        for (const c of (await readTicketChecklists(deps, agent, ticket.key)).checklists) {
          for (const item of c.items) {
            if (item.done || (!item.required && rand() < 0.4)) continue;
            clock.advance(Math.floor(rand() * 1_800_000));
            await setChecklistItem(deps, agent, ticket.key, { checklist: c.checklist, item: item.id, done: true });
          }
        }
      }
      await updateTicket(deps, agent, ticket.key, { status });
    }
    options.onProgress?.(i + 1, total);
  }
  await runTimersUntil(options.now ?? Date.now());
  // The web form's new senders land here (as on a fresh install).
  await ensureIntakeOrganization(deps, undefined);
  // Everything above is history: its notifications are never sent (and say so in the outbox).
  await cancelHistory(store.db);
  options.onProgress?.(total, total);
  return signIns;
}
