// OpenSSH and VS Code: the app's ssh config file and its Include in ~/.ssh/config, a connection's
// ssh command and VS Code address, and replacing a refused host key once the user confirmed it.
import { z } from 'zod';
import type { OpenSshStatus, SshCommand, VsCodeLink } from '../models';
import { empty, id, method, safeText } from './define';

export const opensshMethods = {
  'openssh.status': method(
    empty,
    "The app's ssh config file, its known_hosts, and whether ~/.ssh/config includes it.",
  ).returns<OpenSshStatus>(),

  'openssh.addInclude': method(
    empty,
    "Adds one Include line for the app's ssh config file at the top of ~/.ssh/config (a backup is kept).",
  ).returns<OpenSshStatus>(),

  'openssh.removeInclude': method(
    empty,
    'Takes that Include line out of ~/.ssh/config again; the rest of the file stays as it was.',
  ).returns<OpenSshStatus>(),

  'openssh.sshCommand': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    "An ssh command for a terminal that reaches the connection's instance with the app's host-key checking.",
  ).returns<SshCommand>(),

  'openssh.vsCodeLink': method(
    z
      .object({
        connectionId: id('connectionId'),
        /** A folder on the instance; absolute, or relative to the home folder. Default ~/notebooks. */
        folder: safeText().pipe(z.string().min(1, 'must not be empty').max(1024)).optional(),
        /** VS Code Insiders instead of VS Code. */
        insiders: z.boolean().optional(),
      })
      .strict(),
    "The vscode:// address that opens the connection's instance in VS Code's Remote - SSH.",
  ).returns<VsCodeLink>(),

  'hostKeys.replace': method(
    z
      .object({
        poolId: id('poolId'),
        instanceId: id('instanceId'),
        /** The new key's fingerprint, as the user saw and confirmed it. */
        fingerprint: z
          .string({ error: 'must be text' })
          .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256 fingerprint as the app shows it'),
      })
      .strict(),
    'Trusts the host key that was just refused as changed, in place of the old one.',
  ).returns<{ fingerprint: string; previousFingerprint: string }>(),
} as const;
