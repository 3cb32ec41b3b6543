// What "Why did / didn't the pool scale?" shows (`scaling.history`): the instance count and
// sessions over time, the markers on that timeline (autoscale actions from the Activity Log,
// protections set and cleared, scheduled events, idle stops) and the plain-language "now" line.
import type { AzCommand } from './models';

/** One step of the timeline: from `time` on, `instances` in the scale set and `sessions` open. */
export interface ScalingPoint {
  time: string;
  instances: number;
  /** SSH sessions on the pool's instances as their agents reported them; absent when unknown. */
  sessions?: number;
}

export type ScalingMarkerKind =
  | 'scale-out'
  | 'scale-in'
  | 'scale-failed'
  | 'protect'
  | 'unprotect'
  | 'scheduled-event'
  | 'idle-stop';

/** Something that happened, with why, in plain words. */
export interface ScalingMarker {
  time: string;
  kind: ScalingMarkerKind;
  /** One line, e.g. "Autoscale: 3 → 1", "teampool000002 protected from scale-in". */
  title: string;
  /** Why, e.g. "profile 'nights' allows at most 0 (maximum)", "alice: kernel busy 40 min". */
  reason: string;
  /** The instance (computer name) it is about, for protections and scheduled events. */
  instance?: string;
  /** Autoscale actions: the profile in force, the rule or bound that acted, from → to. */
  profile?: string;
  rule?: string;
  from?: number;
  to?: number;
}

/** An instance kept from scale-in, and why. */
export interface ScalingKept {
  instance: string;
  reason: string;
}

/** The pool now: the profile in force, what is kept and when the next scale-in may come. */
export interface ScalingNow {
  /** One sentence, e.g. "Minimum 2 from profile 'weekdays'; teampool000003 kept: bob: kernel
   *  busy 40 min; next scale-in possible after cooldown at 10:42". */
  text: string;
  /** The scale set's instance count now. */
  capacity: number;
  /** Whether the autoscale setting exists and is on. */
  autoscale: 'on' | 'off' | 'none';
  profile?: {
    name: string;
    kind: 'fixedDate' | 'recurrence' | 'default';
    minimum: number;
    maximum: number;
    default: number;
  };
  kept: ScalingKept[];
  /** ISO: when the last scale action's cooldown ends, if it has not yet. */
  cooldownUntil?: string;
  /** The next profile change (a schedule starting), if any within a week. */
  next?: { time: string; profile: string };
}

export interface ScalingHistory {
  poolId: string;
  /** ISO: the window shown. */
  from: string;
  to: string;
  /** Steps, oldest first; the last one is now. */
  series: ScalingPoint[];
  /** Oldest first. */
  markers: ScalingMarker[];
  now: ScalingNow;
  /** What it read, as az commands an admin can run. */
  az: AzCommand[];
  /** What could not be read (e.g. the share), in plain words; the rest is still shown. */
  problems: string[];
}
