// The `az` commands an admin action would run, fetched from the app while its confirmation is
// open: the admin sees (and can copy) exactly what will happen before it happens.
import { Spinner, Text, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { MethodInput } from '../../../common/contract';
import { RpcError } from '../../../common/errors';
import type { AzCommand } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { AzCommands } from './az-commands';

export type AzPreviewRequest = MethodInput<'azure.previewAz'>;

/** `request` undefined: nothing to preview (e.g. the dialog is closed or the input is invalid). */
export function AzPreview({ request }: { request?: AzPreviewRequest }) {
  const rpc = useRpc();
  const [az, setAz] = useState<AzCommand[]>();
  const [error, setError] = useState<string>();
  const key = request ? JSON.stringify(request) : undefined;

  useEffect(() => {
    setAz(undefined);
    setError(undefined);
    if (!key) return;
    let live = true;
    rpc.call('azure.previewAz', JSON.parse(key) as AzPreviewRequest).then(
      (commands) => live && setAz(commands),
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
    };
  }, [rpc, key]);

  if (!request) return null;
  return (
    <div data-testid="az-preview">
      {error && (
        <Text size={200} style={{ color: tokens.colorPaletteRedForeground1 }}>
          {error}
        </Text>
      )}
      {!az && !error && <Spinner size="extra-tiny" label="az equivalent…" />}
      {az && <AzCommands az={az} open />}
    </div>
  );
}
