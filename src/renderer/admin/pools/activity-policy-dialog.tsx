// Activity…: the pool's activity policy on its share (`.pool/activity.json`): how long a VM must
// be idle before its agent lifts its scale-in protection (and may stop it), and whether idle VMs
// stop themselves (for pools without autoscale). Every agent uses it from its next cycle.
//
// Test ids: admin-activity (the button), activity-dialog, activity-idle-minutes,
// activity-idle-stop, activity-save, activity-cancel; az-preview (Azure pools: the az equivalent).
import {
  Button,
  Dialog,
  DialogSurface,
  Field,
  Input,
  Spinner,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { Timer16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { DialogShell } from '../../shared/dialog-shell';
import { AzPreview } from '../az/az-preview';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';

/** The idle window as typed: a whole number of minutes from 5 to 1440, else what is wrong. */
export function idleMinutesProblem(text: string): string | undefined {
  const value = Number(text.trim());
  if (!text.trim() || !Number.isInteger(value) || value < 5 || value > 1440) {
    return 'Idle after (minutes): type a whole number of minutes from 5 to 1440 (24 hours).';
  }
  return undefined;
}

export function ActivityPolicyButton({ pool }: { pool: PoolInfo }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="small"
        icon={<Timer16Regular />}
        data-testid="admin-activity"
        title="How long a VM must be idle before it may be scaled in or stopped"
        onClick={() => setOpen(true)}
      >
        Activity…
      </Button>
      {open && <ActivityPolicyDialog pool={pool} onClose={() => setOpen(false)} />}
    </>
  );
}

function ActivityPolicyDialog({ pool, onClose }: { pool: PoolInfo; onClose: () => void }) {
  const rpc = useRpc();
  const [minutes, setMinutes] = useState('');
  const [idleStop, setIdleStop] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const { loading, error: loadError } = useLoad(
    true,
    () => rpc.call('activity.policy', { poolId: pool.id }),
    [rpc, pool.id],
    {
      onData: (p) => {
        setMinutes(String(p.idleMinutes));
        setIdleStop(p.idleStop);
      },
    },
  );
  const problem = minutes ? idleMinutesProblem(minutes) : undefined;

  const save = () => {
    const bad = idleMinutesProblem(minutes);
    if (bad) return setError(bad);
    setBusy(true);
    setError(undefined);
    rpc
      .call('activity.setPolicy', { poolId: pool.id, idleMinutes: Number(minutes), idleStop })
      .then(
        () => {
          setBusy(false);
          onClose();
        },
        (err: unknown) => {
          setBusy(false);
          setError(RpcError.from(err).message);
        },
      );
  };

  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !busy && onClose()}>
      <DialogSurface data-testid="activity-dialog">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <DialogShell
            title={`Activity of ${pool.name}`}
            icon={<Timer16Regular />}
            error={error ?? loadError}
            multilineError
            actions={
              <>
                <Button
                  type="submit"
                  appearance="primary"
                  disabled={busy || loading || !!problem}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="activity-save"
                >
                  Save
                </Button>
                <Button disabled={busy} data-testid="activity-cancel" onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            {loading && <Spinner size="tiny" label="Reading the policy from the share…" />}
            <Text size={200} style={{ color: tokens.colorNeutralForeground3 }}>
              A VM is busy while someone typed in a session, a Jupyter kernel ran, or a member kept
              it within this window; its agent then protects it from scale-in. Saved on the pool's
              share (.pool/activity.json); every agent uses it from its next cycle.
            </Text>
            <Field
              label="Idle after (minutes)"
              validationMessage={problem}
              validationState={problem ? 'error' : 'none'}
            >
              <Input
                type="number"
                min={5}
                max={1440}
                value={minutes}
                disabled={loading}
                data-testid="activity-idle-minutes"
                onChange={(_e, d) => setMinutes(d.value)}
              />
            </Field>
            <Switch
              label="Stop idle VMs (for pools without autoscale): after the window, warn who is logged in, then deallocate"
              checked={idleStop}
              disabled={loading}
              data-testid="activity-idle-stop"
              onChange={(_e, d) => setIdleStop(d.checked)}
            />
            {pool.kind === 'azure' && (
              <AzPreview
                request={
                  loading || !minutes || problem
                    ? undefined
                    : {
                        poolId: pool.id,
                        action: 'activityPolicy',
                        idleMinutes: Number(minutes),
                        idleStop,
                      }
                }
              />
            )}
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
