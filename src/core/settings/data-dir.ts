// Where the app keeps its data when Electron cannot tell us: the same folder Electron's
// app.getPath('userData') uses for an app named dsvm-pool, so both shells share keys and trust.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.DSVM_POOL_DATA_DIR) return env.DSVM_POOL_DATA_DIR;
  const home = homedir();
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'dsvm-pool');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'dsvm-pool');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'dsvm-pool');
}
