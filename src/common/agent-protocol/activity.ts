// Session-aware autoscale (issue 11), as the agent and the app share it: why a VM counts as busy,
// its scale-in protection and who set it, Azure's scheduled events it saw, the pool's activity
// policy on the share (`.pool/activity.json`) and each VM's event log (`.pool/events/<vm>.jsonl`).
import { z } from 'zod';

/** One reason the agent counts its VM busy, per member. */
export const BusyReasonSchema = z.object({
  user: z.string(),
  /** ssh: a session with input in the idle window; kernel: a Jupyter kernel busy or active in
   *  it; keep: the member ran `dsvm-pool-agent keep` (or the app's "Keep this VM"). */
  kind: z.enum(['ssh', 'kernel', 'keep']),
  /** Plain words, e.g. "2 SSH sessions, last input 3 min ago", "kernel busy 40 min". */
  text: z.string(),
  /** ISO: the last activity (input, kernel activity), or for keep the time it ends. */
  at: z.string().optional(),
});
export type BusyReason = z.output<typeof BusyReasonSchema>;

/** The instance's scale-in protection as the agent knows it. */
export const ProtectionStateSchema = z.object({
  /** What Azure says now: the VM's protectionPolicy.protectFromScaleIn. */
  protectFromScaleIn: z.boolean(),
  /** busy: this agent set it and will clear it when idle; admin: set by someone else (never
   *  cleared by the agent); null when not protected. */
  by: z.enum(['busy', 'admin']).nullable(),
  /** ISO time of the agent's last change. */
  changedAt: z.string().optional(),
  /** The last protection call's failure, in plain words (cleared on success). */
  error: z.string().optional(),
});
export type ProtectionState = z.output<typeof ProtectionStateSchema>;

export const SCHEDULED_EVENT_TYPES = [
  'Terminate',
  'Preempt',
  'Reboot',
  'Redeploy',
  'Freeze',
] as const;

/** An IMDS scheduled event for this VM (learn.microsoft.com: "Azure Metadata Service: Scheduled
 *  Events for Linux VMs"). */
export const ScheduledEventSchema = z.object({
  eventId: z.string(),
  eventType: z.enum(SCHEDULED_EVENT_TYPES),
  eventStatus: z.enum(['Scheduled', 'Started']),
  /** ISO time before which it will not start; absent once started. */
  notBefore: z.string().optional(),
  description: z.string().optional(),
  /** Azure's EventSource: Platform or User. */
  eventSource: z.string().optional(),
});
export type ScheduledEvent = z.output<typeof ScheduledEventSchema>;

/** The heartbeat's `activity`: busy or idle, why, protection, idle stop, scheduled events. */
export const AgentActivitySchema = z.object({
  busy: z.boolean(),
  reasons: z.array(BusyReasonSchema),
  /** ISO: when the VM turned idle (or when the agent's watch started, if it never saw it busy);
   *  null when busy now. */
  idleSince: z.string().nullable(),
  /** The pool's idle window in minutes (policy). */
  idleMinutes: z.number().int().positive(),
  /** null where the agent cannot reach IMDS (not an Azure VM). */
  protection: ProtectionStateSchema.nullable(),
  /** When idle stop will deallocate this VM (ISO), if the policy has it on and it is idle. */
  idleStopAt: z.string().nullable(),
  scheduledEvents: z.array(ScheduledEventSchema),
});
export type AgentActivity = z.output<typeof AgentActivitySchema>;

export const IDLE_MINUTES_DEFAULT = 30;

/** `.pool/activity.json`, written by the admin app; missing = the defaults. */
export const ActivityPolicySchema = z.strictObject({
  version: z.literal(1),
  /** A VM with no busy reason for this long is idle: protection cleared, idle stop may run. */
  idleMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(IDLE_MINUTES_DEFAULT),
  /** For pools without autoscale: an idle VM deallocates itself after warning who is logged in. */
  idleStop: z.boolean().default(false),
});
export type ActivityPolicy = z.output<typeof ActivityPolicySchema>;

/** One line of `.pool/events/<computer>.jsonl` (append-only, rotated by the agent). */
export const ActivityEventSchema = z.discriminatedUnion('kind', [
  z.object({ time: z.string(), kind: z.literal('busy'), reasons: z.array(BusyReasonSchema) }),
  z.object({ time: z.string(), kind: z.literal('idle') }),
  z.object({
    time: z.string(),
    kind: z.literal('protect'),
    protect: z.boolean(),
    by: z.enum(['busy', 'admin']),
    reason: z.string(),
  }),
  z.object({ time: z.string(), kind: z.literal('sessions'), sessions: z.number().int() }),
  z.object({ time: z.string(), kind: z.literal('scheduled-event'), event: ScheduledEventSchema }),
  z.object({ time: z.string(), kind: z.literal('idle-stop'), at: z.string() }),
]);
export type ActivityEvent = z.output<typeof ActivityEventSchema>;

/**
 * Where the agent reaches Azure's Instance Metadata Service (IMDS): env `DSVM_POOL_IMDS_ENDPOINT`,
 * else the first line of `/etc/dsvm-pool/imds-endpoint`, else Azure's fixed address. The test
 * VMs (namespace VMs of the Azure emulator) set both to their own loopback IMDS listener.
 */
export const IMDS_ENDPOINT_ENV = 'DSVM_POOL_IMDS_ENDPOINT';
export const IMDS_ENDPOINT_FILE = '/etc/dsvm-pool/imds-endpoint';
export const IMDS_ENDPOINT_DEFAULT = 'http://169.254.169.254';
/**
 * Where the agent reaches Azure Resource Manager: env `DSVM_POOL_ARM_ENDPOINT`, else
 * `/etc/dsvm-pool/arm-endpoint`, else the public cloud's. In the emulator's VMs the endpoint is
 * the emulator's HTTPS server, whose CA certificate is `/etc/dsvm-pool/arm-ca.pem` (also in
 * `NODE_EXTRA_CA_CERTS` of the agent's runs); on Azure neither file exists.
 */
export const ARM_ENDPOINT_ENV = 'DSVM_POOL_ARM_ENDPOINT';
export const ARM_ENDPOINT_FILE = '/etc/dsvm-pool/arm-endpoint';
export const ARM_CA_FILE = '/etc/dsvm-pool/arm-ca.pem';
export const ARM_ENDPOINT_DEFAULT = 'https://management.azure.com';
/** The api-versions the agent uses (IMDS instance, identity token, scheduled events). */
export const IMDS_API_VERSIONS = {
  instance: '2021-02-01',
  identity: '2018-02-01',
  scheduledEvents: '2020-07-01',
} as const;
