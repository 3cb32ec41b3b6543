// Runs every unit and integration test file with Node's test runner. Node 20 expands no globs,
// so this lists the files explicitly (sorted, so runs are comparable) and hands them over.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['test/unit', 'test/integration'];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative('.', path)] : [];
  });
}

const files = roots.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error(`No *.test.ts files under ${roots.join(', ')}.`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
