// Subscribes a component to a contract event for as long as it is mounted.
import { useEffect, useRef } from 'react';
import type { EventName, Events } from '../../common/contract';
import { useRpc } from './rpc-context';

/**
 * Calls `listener` for every `name` event. The latest listener is used without resubscribing,
 * so callers can pass inline closures without churning server subscriptions.
 */
export function useEvent<E extends EventName>(name: E, listener: (data: Events[E]) => void): void {
  const rpc = useRpc();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    const sub = rpc.on(name, (data) => latest.current(data));
    return () => sub.dispose();
  }, [rpc, name]);
}
