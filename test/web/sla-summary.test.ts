/** The queue's SLA tone: which clock a row shows, and when it turns amber (a warning passed) and red (breach). */
import { describe, expect, it } from 'vitest';
import type { ClockView, SlaView } from '../../web/src/api.ts';
import { parsePolicy } from '../../web/src/policy-model.ts';
import { summarise } from '../../web/src/sla-summary.ts';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const at = (min: number) => new Date(NOW + min * 60_000).toISOString();
const model = parsePolicy(`
sla:
  - id: std
    warn_at: ["75%", "10m"]
  - id: quiet
    targets: {}
`);

function clock(metric: string, over: Partial<ClockView> = {}): ClockView {
  return { metric, status: 'running', target_ms: 3_600_000, elapsed_ms: 600_000, due: at(50), paused: false, breached: false, ...over };
}
function view(clocks: ClockView[], moments: Array<[string, number]>, opts: { sla?: string; ack?: boolean } = {}): SlaView {
  return {
    policy_version: 1,
    sla_policy: opts.sla ?? 'std',
    clocks,
    escalation: { level: 'L1', team: 'frontline', owner: null, escalations: 0, acknowledgement_pending: opts.ack ? { escalation_id: 'ESC-1/e1', since: at(-5) } : null, can_acknowledge: opts.ack === true, acknowledge_refusal: null, chain: [] },
    next_moments: moments.map(([key, min]) => ({ key, due: at(min) })),
  };
}

describe('summarise', () => {
  it('has nothing to show without a view or without running clocks', () => {
    expect(summarise(undefined, model, NOW).tone).toBe('none');
    expect(summarise(view([clock('first_response', { status: 'fulfilled', due: null })], []), model, NOW).tone).toBe('none');
  });

  it('is on time while every warning of the policy is still ahead', () => {
    const s = summarise(view([clock('resolution')], [['sla:resolution:warn:75%', 35], ['sla:resolution:warn:10m', 40], ['sla:resolution:breach', 50]]), model, NOW);
    expect(s).toMatchObject({ tone: 'ok', metric: 'resolution', due: NOW + 50 * 60_000, paused: false });
  });

  it('turns amber once a warning has fired, or its moment has passed since the view was read', () => {
    expect(summarise(view([clock('resolution')], [['sla:resolution:warn:10m', 40], ['sla:resolution:breach', 50]]), model, NOW).tone).toBe('warn');
    const fresh = view([clock('resolution')], [['sla:resolution:warn:75%', 35], ['sla:resolution:warn:10m', 40], ['sla:resolution:breach', 50]]);
    expect(summarise(fresh, model, NOW + 36 * 60_000).tone).toBe('warn');
  });

  it('turns red when breached, or when the due moment passes on screen', () => {
    expect(summarise(view([clock('resolution', { breached: true, due: at(-5) })], []), model, NOW).tone).toBe('breach');
    expect(summarise(view([clock('resolution')], [['sla:resolution:breach', 50]]), model, NOW + 51 * 60_000).tone).toBe('breach');
  });

  it('shows the worst clock: a breach before an earlier on-time one', () => {
    const s = summarise(view([clock('first_response', { due: at(5) }), clock('resolution', { breached: true, due: at(-1) })], [['sla:first_response:warn:75%', 2]]), model, NOW);
    expect(s.metric).toBe('resolution');
    expect(s.tone).toBe('breach');
  });

  it('among equals, shows the earliest due', () => {
    const s = summarise(view([clock('resolution', { due: at(90) }), clock('first_response', { due: at(20) })], [['sla:resolution:warn:75%', 60], ['sla:resolution:warn:10m', 80], ['sla:first_response:warn:75%', 10], ['sla:first_response:warn:10m', 15]]), model, NOW);
    expect(s).toMatchObject({ metric: 'first_response', tone: 'ok' });
  });

  it('a paused clock is paused, never red for a due moment that does not run', () => {
    const s = summarise(view([clock('resolution', { status: 'paused', paused: true, due: at(-30) })], []), model, NOW);
    expect(s).toMatchObject({ paused: true, tone: 'ok' });
    const both = summarise(view([clock('resolution', { status: 'paused', paused: true, due: at(-30) }), clock('first_response', { due: at(20) })], [['sla:first_response:warn:10m', 10]]), model, NOW);
    expect(both).toMatchObject({ metric: 'first_response', tone: 'warn' });
    const calm = summarise(view([clock('resolution', { status: 'paused', paused: true, due: at(-30) }), clock('first_response', { due: at(20) })], [['sla:first_response:warn:75%', 5], ['sla:first_response:warn:10m', 10]]), model, NOW);
    expect(calm).toMatchObject({ metric: 'first_response', tone: 'ok', paused: false });
  });

  it('a policy without warnings never turns amber; an unknown policy turns amber at 75 % elapsed', () => {
    expect(summarise(view([clock('resolution', { elapsed_ms: 3_500_000 })], [], { sla: 'quiet' }), model, NOW).tone).toBe('ok');
    expect(summarise(view([clock('resolution', { elapsed_ms: 2_800_000 })], [], { sla: 'gone' }), model, NOW).tone).toBe('warn');
    expect(summarise(view([clock('resolution', { elapsed_ms: 1_000_000 })], [], { sla: 'gone' }), null, NOW).tone).toBe('ok');
  });

  it('carries a pending acknowledgement', () => {
    expect(summarise(view([clock('resolution')], [['sla:resolution:warn:75%', 35], ['sla:resolution:warn:10m', 40]], { ack: true }), model, NOW).ackPending).toBe(true);
  });
});
