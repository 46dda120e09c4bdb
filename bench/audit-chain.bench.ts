/**
 * The CPU cost of the audit chain per event (store/audit-chain.ts): JSON round trip and the
 * chained HMAC over a sealed payload, for payloads shaped like the write path's (ticket.created,
 * comment.added, sla.warning, ticket.escalated with an explanation). No database: the write
 * path's extra statement (one chain-head read per flush, none for a new ticket) is measured by
 * bench/api-insert.bench.ts and bench/timers.bench.ts.
 *
 *   npx tsx bench/audit-chain.bench.ts [events, default 200000]
 */
import { auditKey, eventHash } from '../src/store/audit-chain.ts';

const N = Number(process.argv[2] ?? 200_000);
const payloads: Array<[string, Record<string, unknown>]> = [
  [
    'ticket.created',
    {
      key: 'ESC-1042',
      priority: 'high',
      channel: 'email',
      category: 'billing',
      tags: ['vip', 'invoice'],
      team: 'frontline',
      organization_id: '019a-org',
      requester_id: '019a-user',
    },
  ],
  ['comment.added', { comment_id: '019a-comment', public: true, author_role: 'agent', author_kind: 'agent' }],
  [
    'sla.warning',
    { metric: 'resolution', threshold: 0.75, due_at: '2026-11-26T13:00:00.000Z', elapsed_ms: 10_800_000 },
  ],
  [
    'ticket.escalated',
    {
      from: 'L1',
      to: 'L2',
      team: 'specialists',
      rule: 'breach-escalates',
      explanation: {
        conditions: [{ field: 'priority', op: 'in', expected: ['high', 'urgent'], actual: 'high', ok: true }],
      },
      team_moves: 1,
      bounces: 0,
    },
  ],
];
const key = auditKey();
let prev = '';
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const [type, payload] = payloads[i % payloads.length]!;
  const text = JSON.stringify(payload);
  prev = eventHash(key, prev, {
    id: `019a-${i}`,
    ticketId: '019a-ticket',
    seq: i + 1,
    at: 1_764_000_000_000 + i,
    recordedAt: 1_764_000_000_000 + i,
    type,
    actor: 'user:019a-agent',
    internal: false,
    payload: JSON.parse(text) as unknown,
    erased: null,
  });
}
const ns = Number(process.hrtime.bigint() - t0);
process.stdout.write(
  `${N} events chained in ${(ns / 1e6).toFixed(0)} ms: ${(ns / N / 1000).toFixed(1)} µs per event (one core; load ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})\n`,
);
