// Builds the Electron main process (and the headless host beside it), the preload and the UI.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

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
    plugins: [react()],
    build: {
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
