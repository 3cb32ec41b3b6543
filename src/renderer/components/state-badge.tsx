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

export function StateBadge({ state }: { state: InstanceState }) {
  return (
    <Badge appearance="tint" color={colors[state]} size="small" data-testid="state-badge">
      {state}
    </Badge>
  );
}
