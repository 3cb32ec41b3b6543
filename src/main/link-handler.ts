// Acts on a dsvm-pool:// link once it has passed parseAppLink: Connect to the named pool, or open
// a view; a refused link or an unknown pool is logged and told to the user, and nothing else runs.
import type { PoolInfo } from '../common/models';
import type { AppCore } from '../core/app-core';
import { parseAppLink } from './app-link';

export interface LinkContext {
  core: Pick<AppCore, 'listPools' | 'requestConnect' | 'requestOpen'>;
  showWindow(): void;
  tell(title: string, body: string): void;
  log(line: string): void;
}

/** The pool a link names: its exact name, else the one pool whose name matches ignoring case. */
export function poolByName(pools: readonly PoolInfo[], name: string): PoolInfo | undefined {
  const exact = pools.find((p) => p.name === name);
  if (exact) return exact;
  const folded = pools.filter((p) => p.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

export function handleAppLink(text: string, ctx: LinkContext): void {
  const parsed = parseAppLink(text);
  if (!parsed.ok) {
    ctx.tell('dsvm-pool link refused', parsed.message);
    return;
  }
  const { link } = parsed;
  if (link.action === 'open') {
    ctx.log(`link: open the ${link.view} view`);
    ctx.showWindow();
    ctx.core.requestOpen({ view: link.view });
    return;
  }
  const pool = poolByName(ctx.core.listPools(), link.pool);
  if (!pool) {
    ctx.tell(
      'dsvm-pool link refused',
      `This link connects to the pool "${link.pool}", which this app does not have. Add the ` +
        'pool in the app (Admin, or Add SSH hosts) first, or check the name in the link.',
    );
    return;
  }
  ctx.log(`link: connect to ${pool.name}`);
  ctx.showWindow();
  ctx.core.requestConnect(pool.id);
}
