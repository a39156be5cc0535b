import { useCallback, useEffect, useRef, useState } from 'react';

export interface PolledState<T> {
  value?: T;
  /** The error of the latest poll; `value` keeps the last good answer. */
  error?: Error;
  /** True until the first poll settles. */
  loading: boolean;
  /** When the latest successful poll finished. */
  updatedAt?: Date;
  refresh: () => void;
}

/**
 * Calls `load` now and every `intervalMs`, keeping the last good value, so a
 * failed refresh does not blank what on-call is looking at.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: unknown[],
): PolledState<T> {
  const [state, setState] = useState<Omit<PolledState<T>, 'refresh'>>({
    loading: true,
  });
  const generation = useRef(0);
  // `load` is re-created on each render by callers; `deps` say when it changes.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);

  const run = useCallback(() => {
    const current = generation.current;
    stableLoad().then(
      value => {
        if (current !== generation.current) return;
        setState({ value, loading: false, updatedAt: new Date() });
      },
      error => {
        if (current !== generation.current) return;
        setState(previous => ({ ...previous, error, loading: false }));
      },
    );
  }, [stableLoad]);

  useEffect(() => {
    generation.current += 1;
    setState({ loading: true });
    run();
    const timer = setInterval(run, intervalMs);
    return () => {
      generation.current += 1;
      clearInterval(timer);
    };
  }, [run, intervalMs]);

  return { ...state, refresh: run };
}

/** The current time, re-read every `intervalMs`, for "N s ago" texts. */
export function useNow(intervalMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** How often entity views re-read the backend. */
export const ENTITY_REFRESH_INTERVAL_MS = 30_000;
