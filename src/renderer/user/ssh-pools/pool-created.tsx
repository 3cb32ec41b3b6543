// After an ssh-hosts pool is created: it is in the pools, and each host must accept a key; the
// key panel offers one for the pool.
import {
  Button,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { PoolInfo } from '../../../common/models';
import { PublicKeyPanel } from './public-key-panel';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function PoolCreated({
  created,
  title,
  onClose,
}: {
  created: PoolInfo;
  title: string;
  onClose: () => void;
}) {
  const styles = useStyles();
  return (
    <DialogBody>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent className={styles.content}>
        <MessageBar intent="success">
          <MessageBarBody>
            {created.name} is in your pools with {created.instances.length}{' '}
            {created.instances.length === 1 ? 'host' : 'hosts'}. Connect picks one of them.
          </MessageBarBody>
        </MessageBar>
        <Text block>
          Each host must accept a key of yours. If you gave key files or use an agent that the hosts
          already know, you are set. Otherwise:
        </Text>
        <PublicKeyPanel poolId={created.id} poolName={created.name} />
      </DialogContent>
      <DialogActions>
        <Button appearance="primary" onClick={onClose}>
          Done
        </Button>
      </DialogActions>
    </DialogBody>
  );
}
