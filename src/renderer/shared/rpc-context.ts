// Hands the one RpcClient to every component, so nothing below reaches for a global.
import { createContext, useContext } from 'react';
import type { RpcClient } from '../../common/rpc';

export const RpcContext = createContext<RpcClient | undefined>(undefined);

/** The app connection; only valid under the provider that main.tsx sets up once connected. */
export function useRpc(): RpcClient {
  const rpc = useContext(RpcContext);
  if (!rpc) throw new Error('useRpc() needs an <RpcContext.Provider> above it.');
  return rpc;
}
