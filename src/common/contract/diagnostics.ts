// Connection diagnostics: "Test connection" on a pool or an instance, its steps streamed as events
// while they run and the whole report as the answer.
import { z } from 'zod';
import type { DiagnosticsReport } from '../diagnostics';
import { id, method } from './define';

export const diagnosticsMethods = {
  'diagnostics.run': method(
    z
      .object({
        poolId: id('poolId'),
        /** Omitted: the instance Connect would choose. */
        instanceId: id('instanceId').optional(),
        /** Chosen by the caller, so it can match the events to this run before the answer. */
        runId: id('runId'),
      })
      .strict(),
    'Tests the connection to an instance step by step (DNS, TCP, SSH banner, host key, sign-in, agent heartbeat, share, Jupyter); each step comes as diagnostics.onDidUpdate.',
  ).returns<DiagnosticsReport>(),
} as const;

export interface DiagnosticsEvents {
  /** The report so far, after each step of a run starts or ends. */
  'diagnostics.onDidUpdate': DiagnosticsReport;
}

export const diagnosticsEventNames = [
  'diagnostics.onDidUpdate',
] as const satisfies readonly (keyof DiagnosticsEvents)[];
