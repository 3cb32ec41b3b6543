// "Generate a key for this pool" from a pool card's menu: the key panel in a dialog of its own.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from '@fluentui/react-components';
import { useEffect, useRef } from 'react';
import type { PoolInfo } from '../../../common/models';
import { PublicKeyPanel } from './public-key-panel';

export interface PoolKeyDialogProps {
  /** The pool to make a key for; undefined closes the dialog. */
  pool?: PoolInfo;
  onClose: () => void;
}

export function PoolKeyDialog({ pool, onClose }: PoolKeyDialogProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const poolId = pool?.id;
  // Opened from a menu that hands the focus back to its button on closing: take it back, so the
  // keyboard (Escape, Tab) acts in the dialog. Generating is a deliberate second step.
  useEffect(() => {
    if (!poolId) return;
    const frame = requestAnimationFrame(() => {
      const generate = document.querySelector<HTMLElement>(
        `[data-testid="generate-key-${poolId}"]`,
      );
      (generate ?? closeRef.current)?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [poolId]);
  return (
    <Dialog open={pool !== undefined} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid="pool-key-dialog">
        {pool && (
          <DialogBody>
            <DialogTitle>A key for {pool.name}</DialogTitle>
            <DialogContent>
              {/* Keyed by pool: a key shown for one pool must never appear under another. */}
              <PublicKeyPanel key={pool.id} poolId={pool.id} poolName={pool.name} />
            </DialogContent>
            <DialogActions>
              <Button ref={closeRef} onClick={onClose}>
                Close
              </Button>
            </DialogActions>
          </DialogBody>
        )}
      </DialogSurface>
    </Dialog>
  );
}
