// Whether the app is signed in to Azure: `azure.status` once, then `azure.onDidChangeSignIn`.
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { AzureSignInStatus } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';

export interface AzureSignIn {
  status?: AzureSignInStatus;
  error?: string;
  set: (status: AzureSignInStatus) => void;
}

export function useAzureSignIn(): AzureSignIn {
  const rpc = useRpc();
  const [status, setStatus] = useState<AzureSignInStatus>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    let changed = false;
    const sub = rpc.on('azure.onDidChangeSignIn', (s) => {
      changed = true;
      setStatus(s);
    });
    rpc.call('azure.status', {}).then(
      (s) => live && !changed && setStatus(s),
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc]);
  return { status, error, set: setStatus };
}
