// Jupyter: the user's notebook server on the connection's instance, found or started, reached
// through a forward over the same SSH connection.
import { z } from 'zod';
import type { JupyterInfo } from '../models';
import { id, method } from './define';

export const jupyterMethods = {
  'jupyter.open': method(
    z
      .object({
        connectionId: id('connectionId'),
        mode: z.enum(['notebook', 'hub']).default('notebook'),
      })
      .strict(),
    "Finds or starts the user's Jupyter on the connection's instance and forwards a stable local port to it.",
  ).returns<JupyterInfo>(),
} as const;
