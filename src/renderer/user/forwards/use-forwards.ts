// The port forwards: `forwards.list` once, then every `forwards.onDidChange`, closed ones left out.
import type { ForwardInfo } from '../../../common/models';
import { useLiveList, type LiveList } from '../../shared/use-live-list';

// Module-level, so it is the same function on every render and does not resubscribe.
const isOpen = (forward: ForwardInfo) => forward.state !== 'closed';

export type ForwardsState = LiveList<ForwardInfo>;

export function useForwards(): ForwardsState {
  return useLiveList<ForwardInfo>('forwards.list', 'forwards.onDidChange', isOpen);
}
