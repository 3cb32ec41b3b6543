// Bundles the on-VM agent (src/agent/cli.ts) into one self-contained file for Node >= 18:
// out/agent/dsvm-pool-agent.js. Fails when anything but src/agent, src/common and zod got in.
// Then puts the agent's own Node.js runtime beside it (out/agent/runtime/, fetch-agent-runtime.mjs).
import { chmod, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { fetchAgentRuntime } from './fetch-agent-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'out/agent/dsvm-pool-agent.js');

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/agent/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  // CommonJS: the installed file is a plain .js with no package.json next to it.
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  minify: false,
  sourcemap: false,
  legalComments: 'inline',
  metafile: true,
  logLevel: 'warning',
});

// `(.*\/)?node_modules`: a git worktree may link its node_modules elsewhere (esbuild reports the
// real path, e.g. ../main/node_modules/zod/…).
const allowed = [/^src\/agent\//, /^src\/common\//, /^(.*\/)?node_modules\/zod\//];
const strays = Object.keys(result.metafile.inputs).filter(
  (input) => !allowed.some((pattern) => pattern.test(input)),
);
if (strays.length > 0) {
  console.error(
    `build-agent: the agent bundle must hold only src/agent, src/common and zod; found:\n  ${strays.join('\n  ')}`,
  );
  process.exit(1);
}
await chmod(outfile, 0o755);
// The repository's package.json says "type": "module"; the bundle is CommonJS (as it is where it
// is installed, /usr/local/lib/dsvm-pool, with no package.json above it).
await writeFile(join(dirname(outfile), 'package.json'), '{ "type": "commonjs" }\n');
const bytes = result.metafile.outputs[relative(root, outfile)]?.bytes ?? 0;
console.log(`build-agent: ${relative(root, outfile)} (${Math.round(bytes / 1024)} KiB)`);
try {
  await fetchAgentRuntime();
} catch (err) {
  console.error(`build-agent: ${err.message}`);
  process.exit(1);
}
