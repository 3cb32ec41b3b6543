// The current time, re-rendering on a short tick only while something on screen counts down.
import { useEffect, useState } from 'react';

/**
 * `Date.now()`, refreshed every `intervalMs` while `active`. A quarter second keeps a seconds
 * countdown from visibly lagging without costing anything when nothing is counting.
 */
export function useNow(active: boolean, intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
