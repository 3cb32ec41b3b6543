// The words that label the demo (`npm run demo`: the app on the Azure emulator), one source for
// the header badge, the window title, the tray tooltip and the printed lines.
import type { DemoInfo } from './models';

/** The environment variable only the demo sets: the emulator's address (https, this computer). */
export const DEMO_EMULATOR_ENV = 'DSVM_POOL_DEMO_EMULATOR';

/** The badge in the header. */
export const DEMO_BADGE = 'Demo — Azure emulator, nothing is real';

/** The full label, with the emulator's address, for titles, tooltips and printed lines. */
export function demoLabel(demo: DemoInfo): string {
  return `Demo — Azure emulator at ${demo.emulatorUrl}, nothing is real`;
}
