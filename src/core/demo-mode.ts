// Whether this run is `npm run demo`: read from the one variable only the demo script sets, and
// refused unless the app really talks to that emulator on this computer, so the label "nothing is
// real" can never be shown over a real Azure subscription.
import { DEMO_EMULATOR_ENV } from '../common/demo-label';
import type { DemoInfo } from '../common/models';
import { AZURE_ENV_VARS } from './azure/arm/index';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The demo's emulator from the environment, or undefined when this is not the demo. */
export function demoFromEnv(env: NodeJS.ProcessEnv = process.env): DemoInfo | undefined {
  const value = env[DEMO_EMULATOR_ENV]?.trim();
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !LOOPBACK.has(url.hostname)) {
    throw new Error(
      `${DEMO_EMULATOR_ENV} must be the Azure emulator's https address on this computer, such as https://127.0.0.1:8443; not "${value}". Start the demo with npm run demo.`,
    );
  }
  const emulatorUrl = url.origin;
  // The demo's label promises that nothing is real: only true when Azure calls go to it.
  const arm = env[AZURE_ENV_VARS.resourceManagerEndpoint]?.trim();
  if (!arm || originOf(arm) !== emulatorUrl) {
    throw new Error(
      `${DEMO_EMULATOR_ENV} is set (${emulatorUrl}) but ${AZURE_ENV_VARS.resourceManagerEndpoint} is ${arm ? `"${arm}"` : 'not set'}: the demo must talk to its emulator only. Start the demo with npm run demo.`,
    );
  }
  return { emulatorUrl };
}

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}
