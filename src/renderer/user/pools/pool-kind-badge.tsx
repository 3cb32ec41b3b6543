// Names a pool's kind; the local pool is always called a local sandbox so nobody mistakes it for Azure.
import { Badge } from '@fluentui/react-components';
import { Beaker16Regular, Server16Regular } from '@fluentui/react-icons';
import type { PoolKind } from '../../../common/models';

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
  if (kind === 'ssh-hosts') {
    return (
      <Badge
        appearance="outline"
        color="informative"
        icon={<Server16Regular />}
        data-testid="ssh-hosts-badge"
      >
        SSH hosts
      </Badge>
    );
  }
  return (
    <Badge appearance="outline" color="informative">
      Azure
    </Badge>
  );
}
