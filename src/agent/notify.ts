// Tells everyone logged in: `wall` on every terminal, and a tmux status message in each member's
// tmux server (run as that member: their server's socket is theirs, root would start another).
import type { AgentSystem, PasswdEntry } from './agent-system';

/** wall(1) and `tmux display-message` on each client of each member's tmux; never throws. */
export async function notifyEveryone(
  system: AgentSystem,
  text: string,
  members: readonly PasswdEntry[],
): Promise<void> {
  const wall = await system.run(['wall'], { input: `${text}\n`, timeoutMs: 10_000 });
  if (wall.code !== 0) system.log.warn(`wall failed (exit ${wall.code}): ${wall.stderr.trim()}`);
  for (const member of members) {
    if (member.uid === 0) continue;
    const as = { uid: member.uid, gid: member.gid, home: member.home };
    const clients = await system.run(['tmux', 'list-clients', '-F', '#{client_name}'], {
      as,
      timeoutMs: 5000,
    });
    // No server or no client: nothing to show there (wall reached their terminals).
    if (clients.code !== 0) continue;
    for (const client of clients.stdout.split('\n').filter(Boolean)) {
      await system.run(['tmux', 'display-message', '-d', '15000', '-c', client, text], {
        as,
        timeoutMs: 5000,
      });
    }
  }
}
