// The `az` commands an admin action would run, fetched from the app while its confirmation is
// open: the admin sees (and can copy) exactly what will happen before it happens.
import { Spinner, Text, tokens } from '@fluentui/react-components';
import type { MethodInput } from '../../../common/contract';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import { AzCommands } from './az-commands';

export type AzPreviewRequest = MethodInput<'azure.previewAz'>;

/** `request` undefined: nothing to preview (e.g. the dialog is closed or the input is invalid). */
export function AzPreview({ request }: { request?: AzPreviewRequest }) {
  const rpc = useRpc();
  // By value: the callers build a new request object on every render.
  const key = request ? JSON.stringify(request) : undefined;
  const { data: az, error } = useLoad(
    key !== undefined,
    () => rpc.call('azure.previewAz', JSON.parse(key!) as AzPreviewRequest),
    [rpc, key],
    { clearWhenDisabled: true },
  );

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
