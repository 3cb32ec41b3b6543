// The agent on the instances (src/agent): installing or repairing it over SSH.
import { z } from 'zod';
import type { OperationInfo } from '../models';
import { id, method } from './define';

export const agentMethods = {
  'agent.install': method(
    z
      .object({
        poolId: id('poolId'),
        /** Omit for every instance (host) of the pool. */
        instanceIds: z
          .array(id('instanceId'))
          .min(1, 'name at least one instance')
          .max(1000)
          .optional(),
      })
      .strict(),
    "Installs or repairs the pool agent over SSH (SFTP upload, sudo) on instances of an Azure or ssh-hosts pool: a tracked operation; an SMB share's key is asked for (ssh-hosts) or read from Azure, never stored.",
  ).returns<OperationInfo>(),
} as const;
