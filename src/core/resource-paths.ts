// Where the files the app ships beside its code are: the agent bundle, the ARM template, the icons.
// In a checkout they are out/agent and resources/; an installed app has them in its resources
// folder (electron-builder's extraResources). Core never imports electron, so the shells pass in
// app.isPackaged and process.resourcesPath.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResourceLocation {
  /** Electron's `app.isPackaged`; the headless host's `--resources` also means packaged. */
  packaged: boolean;
  /** Electron's `process.resourcesPath` (the folder holding app.asar); needed when packaged. */
  resourcesPath?: string;
  /** The checkout (the folder of package.json); default: found above this module's file. */
  appRoot?: string;
}

export interface ResourcePaths {
  packaged: boolean;
  /** out/agent as scripts/build-agent.mjs makes it: the bundle, its package.json, and more. */
  agentDir: string;
  /** agentDir/dsvm-pool-agent.js, the file Create pool, Repair agent and Install agent upload. */
  agentBundle: string;
  /** agentDir/runtime: the agent's own Node.js tarballs (scripts/fetch-agent-runtime.mjs). */
  agentRuntimeDir: string;
  templatesDir: string;
  /** The ARM template of a pool (the code deploys its build-time copy; this one is for admins). */
  poolTemplate: string;
  iconsDir: string;
  /** The tray's icon; its status variants and @2x files lie beside it (see TRAY_ICON_FILES). */
  trayIcon: string;
  windowIcon: string;
}

/**
 * The icon files the Electron shell loads: tray.png, tray-<status>.png and macOS's
 * trayTemplate.png, each with its @2x.
 */
export const TRAY_ICON_FILES = ['tray', 'tray-reconnecting', 'tray-lost', 'trayTemplate'].flatMap(
  (name) => [`${name}.png`, `${name}@2x.png`],
);
export const WINDOW_ICON_FILE = 'icon.png';

/** The folder names under an installed app's resources folder (electron-builder.yml says so). */
export const PACKAGED_FOLDERS = { agent: 'agent', templates: 'templates', icons: 'icons' } as const;

export function resourcePaths(location: ResourceLocation = { packaged: false }): ResourcePaths {
  let agentDir: string;
  let templatesDir: string;
  let iconsDir: string;
  if (location.packaged) {
    const base = location.resourcesPath;
    if (!base) {
      throw new Error('A packaged app needs its resources folder (process.resourcesPath).');
    }
    agentDir = join(base, PACKAGED_FOLDERS.agent);
    templatesDir = join(base, PACKAGED_FOLDERS.templates);
    iconsDir = join(base, PACKAGED_FOLDERS.icons);
  } else {
    const root = location.appRoot ?? checkoutRoot();
    agentDir = join(root, 'out', 'agent');
    templatesDir = join(root, 'resources', 'templates');
    iconsDir = join(root, 'resources', 'icons');
  }
  return {
    packaged: location.packaged,
    agentDir,
    agentBundle: join(agentDir, 'dsvm-pool-agent.js'),
    agentRuntimeDir: join(agentDir, 'runtime'),
    templatesDir,
    poolTemplate: join(templatesDir, 'pool.json'),
    iconsDir,
    trayIcon: join(iconsDir, TRAY_ICON_FILES[0]!),
    windowIcon: join(iconsDir, WINDOW_ICON_FILE),
  };
}

/**
 * The nearest folder above this module's file holding a package.json: the checkout, whether this
 * runs as source (src/core), as the build (out/main/chunks) or from a git worktree. Not the
 * working directory, which is wherever the app was started from.
 */
function checkoutRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
