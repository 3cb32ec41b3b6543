// `app.resources`: whether the files resource-paths.ts points at are there and usable, so a
// packaged build that lost its agent or template says so before an admin needs them.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppResources } from '../common/contract';
import { RpcError } from '../common/errors';
import { readAgentBundle } from './agent-bundle';
import { POOL_TEMPLATE_VERSION } from './azure/template/index';
import { TRAY_ICON_FILES, WINDOW_ICON_FILE, type ResourcePaths } from './resource-paths';

export async function checkResources(paths: ResourcePaths): Promise<AppResources> {
  const [agent, template, missing] = await Promise.all([
    checkAgent(paths.agentBundle),
    checkTemplate(paths.poolTemplate),
    missingFiles(paths.iconsDir, [...TRAY_ICON_FILES, WINDOW_ICON_FILE]),
  ]);
  return { packaged: paths.packaged, agent, template, icons: { dir: paths.iconsDir, missing } };
}

async function checkAgent(path: string): Promise<AppResources['agent']> {
  try {
    // The very read that Create pool, Repair agent and Install agent do.
    const text = await readAgentBundle(path);
    return { path, bytes: Buffer.byteLength(text) };
  } catch (err) {
    return { path, problem: RpcError.from(err).message };
  }
}

async function checkTemplate(path: string): Promise<AppResources['template']> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no file there' : String(err);
    return { path, problem: `The pool template cannot be read (${why}).` };
  }
  const version = (json as { metadata?: { templateVersion?: unknown } }).metadata?.templateVersion;
  if (version !== POOL_TEMPLATE_VERSION) {
    return {
      path,
      problem: `The pool template is version ${String(version)}, but this app deploys ${POOL_TEMPLATE_VERSION}: the build is out of step; rebuild or reinstall it.`,
    };
  }
  return { path, templateVersion: version };
}

async function missingFiles(dir: string, names: string[]): Promise<string[]> {
  const found = await Promise.all(
    names.map((name) =>
      access(join(dir, name)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return names.filter((_, i) => !found[i]);
}
