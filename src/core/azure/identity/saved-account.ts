// The signed-in account across restarts: <dataDir>/azure-account.json (0600) holds the method, the
// tenant and @azure/identity's serialized AuthenticationRecord (account ids, no token, no secret).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AzureSignInKind } from '../../../common/models';

export interface SavedAccount {
  kind: AzureSignInKind;
  tenantId?: string;
  /** @azure/identity's serialized AuthenticationRecord (account ids, no tokens). */
  record?: string;
}

const ACCOUNT_FILE = 'azure-account.json';

export async function saveAccount(dataDir: string | undefined, saved: SavedAccount): Promise<void> {
  if (!dataDir) return;
  const clean: SavedAccount = { kind: saved.kind };
  if (saved.tenantId) clean.tenantId = saved.tenantId;
  if (saved.record) clean.record = saved.record;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, ACCOUNT_FILE), `${JSON.stringify(clean, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** The saved account, or undefined when there is none or it cannot be read. */
export async function loadAccount(dataDir: string | undefined): Promise<SavedAccount | undefined> {
  if (!dataDir) return undefined;
  try {
    const saved = JSON.parse(await readFile(join(dataDir, ACCOUNT_FILE), 'utf8')) as SavedAccount;
    return typeof saved.kind === 'string' ? saved : undefined;
  } catch {
    return undefined;
  }
}

export async function forgetAccount(dataDir: string): Promise<void> {
  await rm(join(dataDir, ACCOUNT_FILE), { force: true });
}
