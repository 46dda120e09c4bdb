/**
 * Live data without reloads: a load function run at once, again whenever the server's event
 * stream (GET /api/v1/stream, server-sent events) says tickets changed, every `everyMs` while
 * the tab is visible as a fallback (changes made on other server nodes), and on demand
 * (`reload`). The last good data stays on screen while a refresh is in flight or fails.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api.ts';

/** One EventSource per page, shared by every live view; reconnects by itself. */
const changeListeners = new Set<() => void>();
let source: EventSource | null = null;
function onTicketsChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  if (!source && typeof EventSource !== 'undefined') {
    source = new EventSource('/api/v1/stream');
    source.addEventListener('tickets', () => {
      for (const l of changeListeners) l();
    });
    // The session ended (signed out elsewhere, password reset, deactivated): asking who we are
    // answers 401, and the shell shows the sign-in page at once.
    source.addEventListener('revoked', () => {
      source?.close();
      source = null;
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
    void reload();
    if (everyMs <= 0) return undefined;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, everyMs);
    const stop = onTicketsChanged(() => void reload());
    return () => {
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
