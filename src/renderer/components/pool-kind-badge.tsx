// Names a pool's kind; the local pool is always called a local sandbox so nobody mistakes it for Azure.
import { Badge } from '@fluentui/react-components';
import { Beaker16Regular } from '@fluentui/react-icons';
import type { PoolKind } from '../../common/models';

export function PoolKindBadge({ kind }: { kind: PoolKind }) {
  if (kind === 'local') {
    return (
      <Badge
        appearance="tint"
        color="important"
        icon={<Beaker16Regular />}
        data-testid="local-sandbox-badge"
      >
        Local sandbox
      </Badge>
    );
  }
  return (
    <Badge appearance="outline" color="informative">
      {kind === 'azure' ? 'Azure' : 'SSH hosts'}
    </Badge>
  );
}
