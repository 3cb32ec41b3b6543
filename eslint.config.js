// Lint rules, including the dependency rule of docs/ARCHITECTURE.md written as import
// restrictions: a wrong import between src/ folders fails `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'net',
  'tls',
  'http',
  'https',
  'child_process',
  'crypto',
  'stream',
  'events',
  'util',
  'url',
  'zlib',
  'dgram',
  'worker_threads',
];

/** Builds a no-restricted-imports rule from groups of forbidden patterns and the reason. */
function forbid(...groups) {
  return ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }];
}

const noElectron = [
  ['electron', 'electron/*', 'electron-updater', 'electron-updater/*'],
  "Only src/main and src/preload may import electron, and only src/main electron-updater (it needs Electron's app; the core has the UpdateService).",
];
const noNode = [nodeBuiltins, 'This folder runs in a browser too: no Node modules.'];
const noNodePackages = [
  ['ssh2', 'ssh2/*', 'ws', 'node-pty'],
  'This folder runs in a browser too: no Node-only packages.',
];
const noShells = [
  [
    '**/main/**',
    '**/host/**',
    '**/preload/**',
    '**/utility/**',
    '**/main',
    '**/host',
    '**/preload',
    '**/utility',
  ],
  'Imports point one way: core and common never import main, host, preload or utility.',
];
const noCore = [
  ['**/core/**', '**/core', '**/agent/**', '**/agent'],
  'The UI talks to core only through the contract in src/common.',
];
const noUi = [['**/renderer/**', '**/renderer'], 'Nothing imports the UI; it is built on its own.'];
// Inside the UI: the views' rooms (src/renderer/user, admin) and the parts both use (shared).
const noUserView = [
  ['**/user/**', '**/user'],
  'The admin view never imports the user view; move what both use to src/renderer/shared.',
];
const noViews = [
  ['**/user/**', '**/user', '**/admin/**', '**/admin'],
  'src/renderer/shared imports neither view: it holds only what both use.',
];
/** What no file of the UI may import. */
const inTheUi = [noElectron, noNode, noNodePackages, noCore, noShells];
const onlyCommon = [
  ['**/core/**', '**/core', '**/host/**', '**/main/**', '**/preload/**', '**/renderer/**'],
  'The agent runs on the VM and may import only src/common.',
];

/**
 * The rooms of src/core/azure and the rooms each may import (docs/ARCHITECTURE.md): imports point
 * down only, so no cycle can come back, and another room is reached only through its index.ts.
 */
const azureRooms = {
  arm: [],
  template: [],
  az: ['template'],
  identity: ['arm'],
  autoscale: ['arm', 'az', 'template'],
  pools: ['arm', 'autoscale', 'az', 'template'],
  scaling: ['arm', 'autoscale', 'az', 'template'],
  admin: ['arm', 'autoscale', 'az', 'identity', 'pools', 'scaling', 'template'],
};
const roomNames = Object.keys(azureRooms).join('|');

/** The core's import rule, plus patterns by regex ({ regex, message }). */
function forbidInCore(...patterns) {
  const rule = forbid(noElectron, noShells, noUi);
  rule[1].patterns.push(...patterns);
  return rule;
}

/** The import rule of one room: the core's, plus only the rooms below it, through their index. */
function azureRoom(room) {
  const below = azureRooms[room];
  const above = Object.keys(azureRooms).filter((r) => r !== room && !below.includes(r));
  const may = below.length ? `may import only ${below.join(', ')}` : 'imports no other room';
  const patterns = [];
  if (above.length) {
    patterns.push({
      regex: `^\\.\\./(${above.join('|')})(/|$)`,
      message: `src/core/azure/${room} ${may}: a room imports the rooms below it, never above.`,
    });
  }
  if (below.length) {
    patterns.push({
      regex: `^\\.\\./(${below.join('|')})/(?!index$)`,
      message: 'Import another room through its index.ts (its public face).',
    });
  }
  return {
    files: [`src/core/azure/${room}/**`],
    rules: { 'no-restricted-imports': forbidInCore(...patterns) },
  };
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      '.tmp/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Rooms stay small: a source file past 500 lines holds more than one thing; split it by
    // responsibility. Every line counts (as `wc -l` does). Tests may be longer.
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 500, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['src/common/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': forbid(noElectron, noNode, noNodePackages, noShells, noUi, [
        ['**/core/**', '**/agent/**'],
        'src/common imports nothing from the other folders.',
      ]),
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'localStorage',
        'navigator',
        'process',
        'Buffer',
      ],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': forbidInCore({
        regex: `(^|/)azure/(${roomNames})/(?!index$)`,
        message: 'Import a room of src/core/azure through its index.ts (its public face).',
      }),
    },
  },
  ...Object.keys(azureRooms).map(azureRoom),
  {
    files: ['src/host/**'],
    rules: {
      'no-restricted-imports': forbid(noElectron, noUi, [
        ['**/main/**', '**/preload/**'],
        'The host does not use the Electron shell.',
      ]),
    },
  },
  {
    files: ['src/main/**'],
    rules: {
      'no-restricted-imports': forbid(noUi, [
        ['**/host/**', '**/preload/**', '**/utility/**'],
        'The Electron shell uses neither the headless host nor the core process (only its channel).',
      ]),
    },
  },
  {
    files: ['src/utility/**'],
    rules: {
      'no-restricted-imports': forbid(noElectron, noUi, [
        ['**/main/**', '**/host/**', '**/preload/**'],
        "The core's utility process talks to main only over its channel (src/common/core-process-protocol.ts).",
      ]),
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': forbid(noUi, [
        ['**/core/**', '**/core', '**/host/**', '**/main/**'],
        'The preload only hands the page a MessagePort.',
      ]),
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': forbid(...inTheUi),
    },
  },
  // A later entry replaces the rule for its files, so these repeat the UI's own limits.
  {
    files: ['src/renderer/admin/**'],
    rules: { 'no-restricted-imports': forbid(...inTheUi, noUserView) },
  },
  {
    files: ['src/renderer/shared/**'],
    rules: { 'no-restricted-imports': forbid(...inTheUi, noViews) },
  },
  {
    files: ['src/agent/**'],
    rules: { 'no-restricted-imports': forbid(noElectron, onlyCommon) },
  },
);
