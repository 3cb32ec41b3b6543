// A whole list kept current: asks `<x>.list` once, then takes every `<x>.onDidChange` (the whole list).
import { useEffect, useState } from 'react';
import type {
  EventName,
  Events,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../common/contract';
import { RpcError } from '../../common/errors';
import { useRpc } from './rpc-context';

/** Methods that answer a `T[]` (and take no input). */
type ListMethod<T> = {
  [M in MethodName]: MethodOutput<M> extends T[]
    ? Record<string, never> extends MethodInput<M>
      ? M
      : never
    : never;
}[MethodName];

/** Events that carry the whole `T[]` again. */
type ListEvent<T> = { [E in EventName]: Events[E] extends T[] ? E : never }[EventName];

export interface LiveList<T> {
  /** Undefined until the first answer. */
  items?: T[];
  error?: string;
}

/**
 * `keep` filters each list (e.g. drops closed forwards); it must be a stable function, since a
 * new one resubscribes.
 */
export function useLiveList<T>(
  method: ListMethod<T>,
  event: ListEvent<T>,
  keep?: (item: T) => boolean,
): LiveList<T> {
  const rpc = useRpc();
  const [state, setState] = useState<LiveList<T>>({});
  useEffect(() => {
    // The contract's types are checked at the call site (ListMethod/ListEvent); here TypeScript
    // cannot narrow a generic method or event name back to `T[]`.
    const show = (list: T[]) => setState({ items: keep ? list.filter(keep) : list });
    let changed = false;
    let live = true;
    // Subscribe before asking, so a change between the answer and the subscription is not lost;
    // once a change arrived, the (older) list answer is ignored.
    const sub = rpc.on(event, (list) => {
      changed = true;
      show(list as T[]);
    });
    rpc.call(method, {} as MethodInput<ListMethod<T>>).then(
      (list) => {
        if (live && !changed) show(list as T[]);
      },
      (err: unknown) => {
        if (live && !changed) setState({ error: RpcError.from(err).message });
      },
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc, method, event, keep]);
  return state;
}
