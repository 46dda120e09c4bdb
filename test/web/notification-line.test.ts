import { describe, expect, it } from 'vitest';
import type { TicketNotification } from '../../web/src/api.ts';
import { describeNotification } from '../../web/src/notification-line.ts';

const base: TicketNotification = {
  id: 'o1',
  template: 'idle-reminder',
  channel: 'email',
  recipient: 'lina@example.com',
  state: 'waiting',
  attempts: 0,
  reason: 'waiting: no email channel',
  queued_at: '2026-12-01T10:00:00.000Z',
  sent_at: null,
  merged_into: null,
  rule: 'idle',
};

describe('a message is one timeline line that says its state now', () => {
  it('waiting for a channel says so, without attempts', () => {
    expect(describeNotification(base)).toEqual({ tone: 'sla', text: 'idle-reminder to lina@example.com by email — waiting: no email channel' });
  });
  it('sent after retries says how many attempts, and no stale reason', () => {
    const line = describeNotification({ ...base, state: 'sent', attempts: 3, reason: null, sent_at: '2026-12-01T10:05:00.000Z' });
    expect(line.tone).toBe('muted');
    expect(line.text).toMatch(/^idle-reminder to lina@example\.com by email — sent .+ after 3 attempts$/);
  });
  it('failed for good is a warning with the reason', () => {
    expect(describeNotification({ ...base, state: 'failed', attempts: 1, reason: '550 no such mailbox' })).toEqual({ tone: 'warn', text: 'idle-reminder to lina@example.com by email — failed: 550 no such mailbox' });
  });
});
