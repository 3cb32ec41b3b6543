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

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // node-pty is an optionalDependency, which electron-vite does not externalize by itself;
        // bundled, its native addon is not found and the sandbox falls back to script(1).
        external: ['node-pty'],
        input: {
          index: resolve('src/main/index.ts'),
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
