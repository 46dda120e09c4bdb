/**
 * Live data without reloads: a load function run at once, again whenever the server's event
 * stream (GET /api/v1/stream, server-sent events) says tickets changed — on this server node or,
 * on PostgreSQL, on any other — or says to refresh (`event: refresh`: the server may have missed
 * changes), again when the stream reconnects (changes may have been missed while it was down),
 * on demand (`reload`), and every `everyMs` while the tab is visible as a fallback. While the
 * stream is open it covers every ticket change, so the fallback then runs at most every
 * STREAM_OPEN_POLL_MS. The last good data stays on screen while a refresh is in flight or fails;
 * reloads never pile up (one in flight, at most one more queued behind it).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api.ts';

/** The fallback poll's period while the event stream is open. */
export const STREAM_OPEN_POLL_MS = 30_000;

/** One EventSource per page, shared by every live view; reconnects by itself. */
const changeListeners = new Set<() => void>();
let source: EventSource | null = null;
function streamOpen(): boolean {
  return source !== null && source.readyState === 1;
}
function onTicketsChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  if (!source && typeof EventSource !== 'undefined') {
    const s = new EventSource('/api/v1/stream');
    source = s;
    const all = () => {
      for (const l of changeListeners) l();
    };
    s.addEventListener('tickets', all);
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

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs = 5000): Polled<T> {
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
    const stop = onTicketsChanged(refresh);
    return () => {
      live = false;
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
