// An instance's state as a coloured badge, the same colour for the same state everywhere.
import { Badge, type BadgeProps } from '@fluentui/react-components';
import type { InstanceState } from '../../common/models';

const colors: Record<InstanceState, BadgeProps['color']> = {
  running: 'success',
  starting: 'brand',
  stopping: 'warning',
  stopped: 'informative',
  failed: 'danger',
};

/** `title`: why it is in this state (e.g. an unreachable host's error), on hover. */
export function StateBadge({ state, title }: { state: InstanceState; title?: string }) {
  return (
    <Badge
      appearance="tint"
      color={colors[state]}
      size="small"
      data-testid="state-badge"
      title={title}
    >
      {state}
    </Badge>
  );
}
