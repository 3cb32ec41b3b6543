// Runs every unit and integration test file with Node's test runner. Node 20 expands no globs,
// so this lists the files explicitly (sorted, so runs are comparable) and hands them over.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

// `--only=<word>` keeps the files whose path has the word (`--only=fault`: the fault suite).
const args = process.argv.slice(2);
const only = args.filter((a) => a.startsWith('--only=')).map((a) => a.slice('--only='.length));
const dirs = args.filter((a) => !a.startsWith('--only='));
const roots = dirs.length ? dirs : ['test/unit', 'test/integration'];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative('.', path)] : [];
  });
}

const files = roots
  .flatMap(testFiles)
  .filter((file) => only.every((word) => file.includes(word)))
  .sort();
if (files.length === 0) {
  console.error(
    `No *.test.ts files under ${roots.join(', ')}${only.length ? ` with ${only.join(', ')}` : ''}.`,
  );
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
