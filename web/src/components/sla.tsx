/**
 * SLA state of a ticket from GET /tickets/:ref/sla, shown as a live countdown to the next
 * breach moment: neutral while on time, amber once a warning threshold has passed, red once
 * breached (then counting how late). The clock ticks in the browser between refreshes.
 */
import { useEffect, useState } from 'react';
import { get, type SlaView, type Ticket } from '../api.ts';
import { duration, label } from '../format.ts';
import type { SlaSummary } from '../sla-summary.ts';

export { summarise, type SlaSummary, type SlaTone } from '../sla-summary.ts';

export function Countdown({ summary, now }: { summary: SlaSummary; now: number }) {
  if (summary.tone === 'none' || summary.metric === null) return <span className="sla sla-none">no running SLA</span>;
  if (summary.paused) return <span className="sla sla-paused">{label(summary.metric)} paused</span>;
  const left = summary.due === null ? null : summary.due - now;
  const text = left === null ? label(summary.metric) : left >= 0 ? `${label(summary.metric)} due in ${duration(left)}` : `${label(summary.metric)} breached ${duration(-left)} ago`;
  const tone = left !== null && left < 0 ? 'breach' : summary.tone;
  return (
    <span className={`sla sla-${tone}`} role="timer" aria-live="off" data-tone={tone}>
      {text}
    </span>
  );
}

/** SLA views for a set of tickets, refetched when a ticket changes and at least every 30 s. */
export function useSlaViews(tickets: Ticket[] | undefined): Map<string, SlaView> {
  const [views, setViews] = useState(() => new Map<string, { stamp: string; at: number; view: SlaView }>());
  const sig = (tickets ?? []).map((t) => `${t.key}@${t.updated_at}`).join(',');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    let cancelled = false;
    const todo = (tickets ?? []).filter((t) => {
      const v = views.get(t.key);
      return !v || v.stamp !== t.updated_at || Date.now() - v.at > 29_000;
    });
    if (todo.length === 0) return undefined;
    const run = async () => {
      const next = new Map(views);
      // A few at a time: the browser keeps six connections per host anyway.
      for (let i = 0; i < todo.length; i += 6) {
        const chunk = todo.slice(i, i + 6);
        const got = await Promise.all(chunk.map((t) => get('/tickets/{ticketRef}/sla', { params: { path: { ticketRef: t.key } } }).then((v) => [t, v] as const).catch(() => null)));
        for (const g of got) if (g) next.set(g[0].key, { stamp: g[0].updated_at, at: Date.now(), view: g[1] });
        if (cancelled) return;
      }
      setViews(next);
    };
    void run();
    return () => {
      cancelled = true;
    };
  }, [sig, tick]);
  const out = new Map<string, SlaView>();
  for (const [k, v] of views) out.set(k, v.view);
  return out;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return <span className={`badge prio-${priority}`}>{priority}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{label(status)}</span>;
}
