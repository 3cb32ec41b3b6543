// Runs the Azure emulator as its own process, for tests that drive the app as a separate process
// (the Playwright e2e suite): prints one JSON line with where it is and how to trust it, then
// serves until SIGTERM/SIGINT.
//
//   node --import tsx test/emulators/azure/serve.ts '{"clientSecrets":{"id":"secret"}}'
//
// The JSON argument is optional: AzureEmulatorOptions that are plain data (clientSecrets,
// delays, retryAfterSeconds, listPageSize, maxSshServers).
import { startAzureEmulator, type AzureEmulatorOptions } from './azure-emulator';

/** The line the parent reads: everything the app needs to point at this emulator. */
export interface ServedEmulator {
  url: string;
  tenantId: string;
  subscriptionId: string;
  /** The emulator's certificate alone, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as AzureEmulatorOptions;
const emulator = await startAzureEmulator({
  ...options,
  log: (line) => process.stderr.write(`azure-emulator: ${line}\n`),
});
const served: ServedEmulator = {
  url: emulator.url,
  tenantId: emulator.tenantId,
  subscriptionId: emulator.subscriptionId,
  caFile: emulator.certificate.certPath,
};
process.stdout.write(`${JSON.stringify(served)}\n`);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
