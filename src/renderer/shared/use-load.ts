// Loads something while a view needs it (a dialog is open, a connection is up) and drops an answer
// that comes after the view moved on: a closed dialog, another pool, a newer request.
import { useCallback, useEffect, useReducer, useState, type DependencyList } from 'react';
import { RpcError } from '../../common/errors';

/** What a load shows: the answer, or why it failed, and whether an answer is awaited. */
export interface LoadState<T> {
  data?: T;
  /** The failure's message, as the app said it. */
  error?: string;
  loading: boolean;
}

export type LoadEvent<T> =
  /** A load starts; `keep`: the last answer stays until the new one comes. */
  | { type: 'start'; keep: boolean }
  | { type: 'data'; data: T }
  | { type: 'error'; error: string }
  /** Not needed any more; `clear` forgets the answer too (else it stays, e.g. while a dialog fades out). */
  | { type: 'stop'; clear: boolean }
  /** An action answered with a newer value (a save returns what was saved). */
  | { type: 'set'; data: T | undefined };

export function loadReducer<T>(state: LoadState<T>, event: LoadEvent<T>): LoadState<T> {
  switch (event.type) {
    case 'start':
      return event.keep ? { data: state.data, loading: true } : { loading: true };
    case 'data':
      return { data: event.data, loading: false };
    case 'error':
      // A failed reload keeps the last answer (if kept) beside the error.
      return { ...state, error: event.error, loading: false };
    case 'stop':
      if (event.clear) return { loading: false };
      return state.loading ? { ...state, loading: false } : state;
    case 'set':
      return { ...state, data: event.data };
  }
}

/**
 * Runs one load and reports its answer, unless `signal` is aborted by then: that answer is stale.
 * `onData` runs just before the answer is reported, so state it sets shows in the same render.
 */
export function runLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
  report: (event: LoadEvent<T>) => void,
  onData?: (data: T) => void,
): void {
  load(signal).then(
    (data) => {
      if (signal.aborted) return;
      onData?.(data);
      report({ type: 'data', data });
    },
    (err: unknown) => {
      if (signal.aborted) return;
      report({ type: 'error', error: RpcError.from(err).message });
    },
  );
}

export interface LoadOptions<T> {
  /** Keep the last answer on screen while the next one loads (default: start empty). */
  keep?: boolean;
  /** Forget the answer once `enabled` turns false (default: keep it, e.g. while a dialog fades out). */
  clearWhenDisabled?: boolean;
  /** Called with each fresh answer, in the same render as `data`: e.g. to fill a form from it. */
  onData?: (data: T) => void;
  /** Waits this long before loading, so a burst of changes (typing) makes one call. */
  delayMs?: number;
}

export interface Loaded<T> extends LoadState<T> {
  /** Loads again now (if enabled), dropping an answer still on its way. */
  reload: () => void;
  /** Replaces the answer, e.g. with what a save returned. */
  setData: (data: T | undefined) => void;
}

/**
 * Calls `load` whenever `enabled` turns true or a value in `deps` changes while enabled, like an
 * effect. An answer is dropped when the hook is disabled, its deps change or it unmounts before
 * the answer comes. `load` gets an AbortSignal that fires then; passing it on to `rpc.call` would
 * also cancel the request in the app (the callers here do not: a stale answer is only ignored).
 */
export function useLoad<T>(
  enabled: boolean,
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: LoadOptions<T> = {},
): Loaded<T> {
  const [state, dispatch] = useReducer(loadReducer<T>, undefined, (): LoadState<T> => ({
    loading: enabled,
  }));
  const [generation, setGeneration] = useState(0);
  const { keep = false, clearWhenDisabled = false, onData, delayMs = 0 } = options;

  useEffect(() => {
    if (!enabled) {
      dispatch({ type: 'stop', clear: clearWhenDisabled });
      return;
    }
    const controller = new AbortController();
    dispatch({ type: 'start', keep });
    const run = () => runLoad(load, controller.signal, dispatch, onData);
    const timer = delayMs > 0 ? setTimeout(run, delayMs) : undefined;
    if (timer === undefined) run();
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // Like an effect's: `deps` say when to load; `load` and `onData` are this render's.
  }, [enabled, generation, ...deps]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const setData = useCallback((data: T | undefined) => dispatch({ type: 'set', data }), []);
  return { ...state, reload, setData };
}
