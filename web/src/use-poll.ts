/**
 * Live data without reloads: a load function run at once, again whenever the server's event
 * stream (GET /api/v1/stream, server-sent events) says tickets changed — on this server node or,
 * on PostgreSQL, on any other — or says to refresh (`event: refresh`: the server may have missed
 * changes), again when the stream reconnects (changes may have been missed while it was down),
 * on demand (`reload`), and every `everyMs` while the tab is visible as a fallback. While the
 * stream is open it covers every ticket change, so the fallback then runs at most every
 * STREAM_OPEN_POLL_MS. The last good data stays on screen while a refresh is in flight or fails;
 * reloads never pile up (one in flight, at most one more queued behind it); the stream reloads a
 * list at most once per STREAM_RELOAD_MS, and a view of one ticket only for that ticket.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api.ts';

/** The fallback poll's period while the event stream is open. */
export const STREAM_OPEN_POLL_MS = 30_000;
/**
 * A list view reloads for the stream at most once per this (the first change after a quiet spell
 * at once, later ones gathered); a view of one ticket reloads for that ticket's changes only.
 */
export const STREAM_RELOAD_MS = 500;

/** Told the keys of changed tickets, or null: anything may have changed. */
type ChangeListener = (keys: readonly string[] | null) => void;

/** One EventSource per page, shared by every live view; reconnects by itself. */
const changeListeners = new Set<ChangeListener>();
let source: EventSource | null = null;
function streamOpen(): boolean {
  return source !== null && source.readyState === 1;
}
function onTicketsChanged(listener: ChangeListener): () => void {
  changeListeners.add(listener);
  if (!source && typeof EventSource !== 'undefined') {
    const s = new EventSource('/api/v1/stream');
    source = s;
    const tell = (keys: readonly string[] | null) => {
      for (const l of changeListeners) l(keys);
    };
    const all = () => tell(null);
    s.addEventListener('tickets', (e: MessageEvent<string>) => {
      let keys: readonly string[] | null = null;
      try {
        const v = JSON.parse(e.data) as { keys?: unknown };
        if (Array.isArray(v.keys)) keys = v.keys.filter((k): k is string => typeof k === 'string');
      } catch {
        keys = null;
      }
      tell(keys);
    });
    s.addEventListener('refresh', all);
    // Reopened after an error: whatever changed while it was down was not heard.
    let opened = false;
    s.addEventListener('open', () => {
      if (opened) all();
      opened = true;
    });
    // The session ended (signed out elsewhere, password reset, deactivated): asking who we are
    // answers 401, and the shell shows the sign-in page at once.
    s.addEventListener('revoked', () => {
      s.close();
      if (source === s) source = null;
      get('/me').catch(() => undefined);
    });
  }
  return () => {
    changeListeners.delete(listener);
    if (changeListeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * `ticket`: the view shows that one ticket — stream messages about other tickets do not reload
 * it (a `refresh` or a reopened stream still does).
 */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs = 5000, opts: { ticket?: string } = {}): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const d = await loadRef.current();
      if (mine === seq.current) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    let last = Date.now();
    // Stream and poll reloads: one in flight, one more queued behind it at most.
    let inFlight = false;
    let again = false;
    let live = true;
    const refresh = (): void => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      last = Date.now();
      void reload().finally(() => {
        inFlight = false;
        if (again && live) {
          again = false;
          refresh();
        }
      });
    };
    refresh();
    if (everyMs <= 0) return undefined;
    const t = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      if (streamOpen() && Date.now() - last < Math.max(everyMs, STREAM_OPEN_POLL_MS) - 50) return;
      refresh();
    }, everyMs);
    let trailing: ReturnType<typeof setTimeout> | null = null;
    const stop = onTicketsChanged((keys) => {
      const mine = opts.ticket?.toUpperCase();
      if (mine !== undefined && keys !== null && !keys.some((k) => k.toUpperCase() === mine)) return;
      const wait = mine !== undefined ? 0 : last + STREAM_RELOAD_MS - Date.now();
      if (wait <= 0) refresh();
      else
        trailing ??= setTimeout(() => {
          trailing = null;
          if (live) refresh();
        }, wait);
    });
    return () => {
      live = false;
      if (trailing) clearTimeout(trailing);
      clearInterval(t);
      stop();
    };
  }, deps);

  return { data, error, loading, reload };
}

/** The current time, ticking every `ms` (for countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
