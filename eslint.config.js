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
  ['electron', 'electron/*'],
  'Only src/main and src/preload may import electron.',
];
const noNode = [nodeBuiltins, 'This folder runs in a browser too: no Node modules.'];
const noNodePackages = [
  ['ssh2', 'ssh2/*', 'ws', 'node-pty'],
  'This folder runs in a browser too: no Node-only packages.',
];
const noShells = [
  ['**/main/**', '**/host/**', '**/preload/**', '**/main', '**/host', '**/preload'],
  'Imports point one way: core and common never import main, host or preload.',
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

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
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
    rules: { 'no-restricted-imports': forbid(noElectron, noShells, noUi) },
  },
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
        ['**/host/**', '**/preload/**'],
        'The Electron shell does not use the headless host.',
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
