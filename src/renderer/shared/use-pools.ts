// The pools and their instances: `pools.list` once, then every `pools.onDidChange`.
import type { PoolInfo } from '../../common/models';
import { useLiveList, type LiveList } from './use-live-list';

export function usePools(): LiveList<PoolInfo> {
  return useLiveList<PoolInfo>('pools.list', 'pools.onDidChange');
}
