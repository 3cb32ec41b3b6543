// Where things live on the share (DESIGN.md §7): the pool's own folder, the team registry, the
// heartbeats and each member's notebooks folder.

/** Where things live on the share (DESIGN.md §7), relative to its root. */
export const SHARE_LAYOUT = {
  poolDir: '.pool',
  registry: '.pool/users.json',
  statusDir: '.pool/status',
  probeDir: '.pool/probe',
  /** The pool's activity policy (idle window, idle stop), written by the admin app. */
  activityPolicy: '.pool/activity.json',
  /** Each VM's activity events, `<computer>.jsonl`. */
  eventsDir: '.pool/events',
  notebooksDir: 'notebooks',
} as const;

/** `.pool/status/<computer>.json` */
export function heartbeatPath(computerName: string): string {
  return `${SHARE_LAYOUT.statusDir}/${computerName}.json`;
}

/** `.pool/events/<computer>.jsonl` */
export function activityEventsPath(computerName: string): string {
  return `${SHARE_LAYOUT.eventsDir}/${computerName}.jsonl`;
}

/** `notebooks/<user>`: the member's folder; `~/notebooks/remote` links to it. */
export function memberNotebooksPath(user: string): string {
  return `${SHARE_LAYOUT.notebooksDir}/${user}`;
}
