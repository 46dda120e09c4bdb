import { describe, expect, it } from 'vitest';
import { contentHash, distinctParts, holdDecision, isMergeable, pickAbsorbed, repeatsSent, type MergeRowFacts } from '../../src/notify/merge-plan.ts';

const MIN = 60_000;
const W = 5 * MIN;
const row = (id: string, createdAt: number, over: Partial<MergeRowFacts> = {}): MergeRowFacts => ({ id, createdAt, channel: 'email', audience: 'internal', urgent: false, kind: undefined, ...over });

describe('merge decisions', () => {
  it.each([
    [{ channel: 'email', urgent: false, kind: undefined }, true],
    [{ channel: 'sms', urgent: false, kind: undefined }, true],
    [{ channel: 'webhook', urgent: false, kind: undefined }, false],
    [{ channel: 'email', urgent: true, kind: undefined }, false],
    [{ channel: 'email', urgent: false, kind: 'reply' }, false],
  ])('mergeable %o → %s: people, not machines; never urgent ones or conversation replies', (r, expected) => {
    expect(isMergeable(r)).toBe(expected);
  });

  it.each([
    ['new row: waits the window to gather', 0, null, { kind: 'hold', until: W }],
    ['window after creation passed: goes', W, null, { kind: 'go' }],
    ['recent message: waits the window after it', W, 2 * MIN, { kind: 'hold', until: 7 * MIN }],
    ['old message, old row: goes', 10 * MIN, 2 * MIN, { kind: 'go' }],
  ] as const)('%s', (_name, now, last, expected) => {
    expect(holdDecision(row('a', 0), now, last, W)).toMatchObject(expected);
  });

  it('a hold says why and until when', () => {
    const d = holdDecision(row('a', 0), 0, null, W);
    expect(d.kind === 'hold' && d.reason).toBe('held: gathering updates for one message until 1970-01-01T00:05:00.000Z');
  });

  it('absorbs the same audience and channel within the window after the head, in creation order, and nothing urgent or a reply', () => {
    const head = row('h', 0);
    const candidates = [
      row('late', W + 1),
      row('b', 2 * MIN),
      row('a', MIN),
      row('customer', MIN, { audience: 'customer' }),
      row('urgent', MIN, { urgent: true }),
      row('reply', MIN, { kind: 'reply' }),
      row('sms', MIN, { channel: 'sms' }),
      row('before', -1),
      row('h', 0),
    ];
    expect(pickAbsorbed(head, candidates, W).map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('identical notices are said once', () => {
    const warn = { subject: 'SLA at risk', text: 'Due 10:00\n', html: '' };
    const breach = { subject: 'SLA breached', text: 'Due 10:00', html: '' };
    expect(distinctParts([warn, breach, { ...warn, text: 'Due 10:00' }])).toEqual([warn, breach]);
  });

  it.each([
    ['same content within the window', 'x', 1 * MIN, true],
    ['same content after the window', 'x', 6 * MIN, false],
    ['other content', 'y', 1 * MIN, false],
  ] as const)('repeats a sent message: %s', (_n, content, createdAt, expected) => {
    const sent = { hash: contentHash({ subject: 's', text: 'x' }), at: 0 };
    expect(repeatsSent(contentHash({ subject: 's', text: content }), sent, createdAt, W)).toBe(expected);
  });

  it('nothing sent before: never a repeat', () => {
    expect(repeatsSent(contentHash({ subject: 's', text: 'x' }), null, 0, W)).toBe(false);
  });
});
