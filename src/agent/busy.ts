// Busy or idle, and why in plain words: a pure decision from what the agent saw this cycle
// (terminal input times, Jupyter kernels, keeps), so it is tested from recorded observations.
import type { BusyReason } from '../common/agent-protocol';

/** One member's terminals: the last input on any of their /dev/pts (what `w` shows as IDLE). */
export interface TerminalObservation {
  user: string;
  /** Their SSH connections now (the heartbeat's count); terminals may outlive them (tmux). */
  sessions: number;
  /** ms since the epoch of the newest atime among their /dev/pts/*; undefined: no terminal. */
  lastInput: number | undefined;
}

/** One Jupyter kernel of a member, as /api/kernels reports it. */
export interface KernelObservation {
  user: string;
  id: string;
  executionState: string | undefined;
  /** ms since the epoch of `last_activity`; undefined when the server did not say. */
  lastActivity: number | undefined;
}

/** A member's `dsvm-pool-agent keep`, already checked (owner, size, shape). */
export interface KeepObservation {
  user: string;
  /** ms since the epoch when it ends. */
  until: number;
  reason?: string;
}

export interface BusyInput {
  now: number;
  idleMinutes: number;
  terminals: readonly TerminalObservation[];
  kernels: readonly KernelObservation[];
  keeps: readonly KeepObservation[];
  /** Per kernel id, when the agent first saw it busy (kept across cycles by the caller). */
  busySince: ReadonlyMap<string, number>;
}

export interface BusyDecision {
  busy: boolean;
  reasons: BusyReason[];
  /** The newest activity of any kind (input, kernel, a keep's end if it is running), if any. */
  lastActivity: number | undefined;
  /** Per kernel id now busy, since when (feed back as the next cycle's busySince). */
  busySince: Map<string, number>;
}

const MINUTE = 60_000;

/** "3 min", "1 h 20 min", "under a minute". */
export function minutesWords(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

function ago(now: number, at: number): string {
  const words = minutesWords(now - at);
  return words === 'under a minute' ? 'just now' : `${words} ago`;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Busy = any member with terminal input, a kernel busy or active, or a running keep within the
 * pool's idle window. Reasons are per member and kind, in words the app shows as they are
 * ("2 SSH sessions, last input 3 min ago", "kernel busy 40 min", "kept for 3 h 20 min more: training").
 */
export function decideBusy(input: BusyInput): BusyDecision {
  const { now } = input;
  const windowStart = now - input.idleMinutes * MINUTE;
  const reasons: BusyReason[] = [];
  let lastActivity: number | undefined;
  const seen = (at: number) => {
    lastActivity = lastActivity === undefined ? at : Math.max(lastActivity, at);
  };

  for (const t of [...input.terminals].sort((a, b) => a.user.localeCompare(b.user))) {
    if (t.lastInput === undefined) continue;
    seen(Math.min(t.lastInput, now));
    if (t.lastInput < windowStart) continue;
    const who = t.sessions > 0 ? count(t.sessions, 'SSH session') : 'a terminal';
    reasons.push({
      user: t.user,
      kind: 'ssh',
      text: `${who}, last input ${ago(now, t.lastInput)}`,
      at: new Date(t.lastInput).toISOString(),
    });
  }

  const busySince = new Map<string, number>();
  const byUser = new Map<string, KernelObservation[]>();
  for (const k of input.kernels) byUser.set(k.user, [...(byUser.get(k.user) ?? []), k]);
  for (const user of [...byUser.keys()].sort()) {
    const kernels = byUser.get(user)!;
    const busy = kernels.filter((k) => k.executionState === 'busy');
    for (const k of busy) busySince.set(k.id, input.busySince.get(k.id) ?? now);
    for (const k of kernels) if (k.lastActivity !== undefined) seen(Math.min(k.lastActivity, now));
    if (busy.length > 0) {
      seen(now);
      const since = Math.min(...busy.map((k) => busySince.get(k.id)!));
      const what = busy.length === 1 ? 'kernel busy' : `${busy.length} kernels busy`;
      const how = now - since >= MINUTE ? ` ${minutesWords(now - since)}` : '';
      reasons.push({
        user,
        kind: 'kernel',
        text: `${what}${how}`,
        at: new Date(now).toISOString(),
      });
      continue;
    }
    const recent = kernels
      .map((k) => k.lastActivity)
      .filter((at): at is number => at !== undefined && at >= windowStart);
    if (recent.length > 0) {
      const last = Math.min(Math.max(...recent), now);
      const what = recent.length === 1 ? 'kernel' : `${recent.length} kernels`;
      reasons.push({
        user,
        kind: 'kernel',
        text: `${what} active ${ago(now, last)}`,
        at: new Date(last).toISOString(),
      });
    }
  }

  for (const keep of [...input.keeps].sort((a, b) => a.user.localeCompare(b.user))) {
    if (keep.until <= now) continue;
    seen(now);
    reasons.push({
      user: keep.user,
      kind: 'keep',
      text: `kept for ${minutesWords(keep.until - now)} more${keep.reason ? `: ${keep.reason}` : ''}`,
      at: new Date(keep.until).toISOString(),
    });
  }

  return { busy: reasons.length > 0, reasons, lastActivity, busySince };
}

/** "alice: 2 SSH sessions, last input 3 min ago; bob: kernel busy 40 min" (logs, wall). */
export function reasonsLine(reasons: readonly BusyReason[]): string {
  return reasons.map((r) => `${r.user}: ${r.text}`).join('; ');
}
