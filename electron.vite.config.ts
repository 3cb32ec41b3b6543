// Builds the Electron main process (and the headless host beside it), the preload and the UI.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * In `npm run dev` only: Vite's React refresh preamble is an inline script and its HMR socket
 * another origin, which the page's CSP (rightly) forbids; the built app keeps the strict one.
 */
function devCsp(): Plugin {
  return {
    name: 'dsvm-pool-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(
        "script-src 'self'",
        "script-src 'self' 'unsafe-inline'; connect-src 'self' ws://localhost:* ws://127.0.0.1:*",
      ),
  };
}

/**
 * Optional native modules the app does not ship (electron-builder.yml says why): ssh2's
 * sshcrypto.node and cpu-features, ws's bufferutil and utf-8-validate. Each is required inside a
 * try by its caller, which then uses its JavaScript code; this makes that require throw in every
 * build, instead of loading whatever a developer's node_modules happens to hold.
 */
function leaveOutOptionalNatives(): Plugin {
  const natives = /^(cpu-features|bufferutil|utf-8-validate)$|[\\/]sshcrypto\.node$/;
  const prefix = '\0dsvm-pool-not-shipped:';
  return {
    name: 'dsvm-pool-leave-out-optional-natives',
    enforce: 'pre',
    resolveId: (id) => (natives.test(id) ? prefix + id : null),
    load: (id) =>
      id.startsWith(prefix)
        ? `throw new Error(${JSON.stringify(`${id.slice(prefix.length)} is not shipped with dsvm-pool`)});\nmodule.exports = {};`
        : null,
  };
}

export default defineConfig({
  main: {
    plugins: [leaveOutOptionalNatives()],
    build: {
      // The main process (and the headless host) carry their dependencies: the Azure SDKs, ssh2,
      // ws and zod are bundled, tree-shaken, so the packaged app needs no node_modules of theirs
      // (app.asar: ~12 MB instead of 138 MB of SDK builds for browsers and source maps), and
      // every test that runs out/main runs the very code the installed app does.
      externalizeDeps: false,
      rollupOptions: {
        // node-pty ships beside the bundle (N-API, loaded lazily; script(1) is the fallback).
        external: ['node-pty'],
        input: {
          index: resolve('src/main/index.ts'),
          // The core, in Electron's utility process (src/main/utility-core.ts forks core.js).
          core: resolve('src/utility/index.ts'),
          // The headless host runs on plain Node from the same bundle folder (see scripts/start.mjs).
          host: resolve('src/host/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), devCsp()],
    build: {
      minify: true,
      // A desktop app loads its bundle from disk; one 1 MB chunk is fine.
      chunkSizeWarningLimit: 2048,
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
