// Names derived from an Azure pool: its key file's id and its share's SMB host.
import { createHash } from 'node:crypto';

/**
 * The id a pool's key file is named by: Azure pool ids hold `:` and `/`, so they become
 * `azure-<hash>`; other ids stay as they are.
 */
export function poolKeyId(poolId: string): string {
  if (!poolId.startsWith('azure:')) return poolId;
  return `azure-${createHash('sha256').update(poolId).digest('hex').slice(0, 32)}`;
}

/**
 * The SMB host of an account: its file endpoint's host when that is `<account>.file.<suffix>`
 * (every Azure cloud), else the public cloud's name (an emulator's path-style endpoint).
 */
export function smbHost(account: string, fileEndpoint: string | undefined): string {
  let host: string | undefined;
  try {
    host = fileEndpoint ? new URL(fileEndpoint).hostname.toLowerCase() : undefined;
  } catch {
    host = undefined;
  }
  return host?.startsWith(`${account.toLowerCase()}.file.`)
    ? host
    : `${account.toLowerCase()}.file.core.windows.net`;
}
