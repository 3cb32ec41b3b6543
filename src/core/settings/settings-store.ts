// The app's settings in `<dataDir>/settings.json` (0600): validated on load, written atomically,
// and a file that cannot be understood is moved aside and reported, never silently lost.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import { defaultSettings, settingsSchema, type Settings } from './settings-schema';

export type { Settings, SshHostPoolSettings } from './settings-schema';

export interface SettingsStoreOptions {
  /** Diagnostic lines (never secrets; settings hold none). */
  log?: (line: string) => void;
  /** For the corrupt file's name; tests pin it. */
  now?: () => Date;
}

export const SETTINGS_FILE = 'settings.json';

export class SettingsStore implements Disposable {
  private readonly changed = new Emitter<Settings>();
  /** Fires after every successful save, with the new settings. */
  readonly onDidChange = this.changed.event;
  /** Saves run one after another, each on the result of the one before. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: Settings,
    /**
     * Set when settings.json could not be used at start: what was wrong and where the old file
     * went. Show it to the user once.
     */
    readonly problem: string | undefined,
    /** Set when the file exists but cannot be read: saving would overwrite what we never saw. */
    private readonly readOnlyReason: string | undefined,
  ) {}

  /** Reads `<dataDir>/settings.json`; a missing file means defaults. */
  static async open(dataDir: string, options: SettingsStoreOptions = {}): Promise<SettingsStore> {
    const log = options.log ?? (() => {});
    const now = options.now ?? (() => new Date());
    const path = join(dataDir, SETTINGS_FILE);

    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        return new SettingsStore(path, defaultSettings(), undefined, undefined);
      const problem =
        `The settings file ${path} cannot be read (${code ?? String(err)}), so the app runs ` +
        'with default settings and will not save any. Make the file readable and writable by ' +
        'you (chmod 600), then restart the app.';
      log(problem);
      return new SettingsStore(path, defaultSettings(), problem, problem);
    }

    const read = parseSettings(text);
    if (read.ok) {
      // An older app or a hand edit may have left it readable by others.
      await chmod(path, 0o600).catch(() => {});
      return new SettingsStore(path, read.settings, undefined, undefined);
    }

    const { why } = read;
    const aside = `${path}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(path, aside);
    } catch (err) {
      const problem =
        `The settings file ${path} is not valid (${why}) and could not be moved aside ` +
        `(${(err as NodeJS.ErrnoException).code ?? String(err)}), so the app runs with default ` +
        'settings and will not save any. Fix or remove that file, then restart the app.';
      log(problem);
      return new SettingsStore(path, defaultSettings(), problem, problem);
    }
    const problem =
      `The settings file ${path} was not valid (${why}). It was moved to ${aside} and the app ` +
      'started with default settings, so ssh-hosts pools from it are not shown. Fix that file ' +
      `and move it back to ${path} while the app is closed, or add the pools again.`;
    log(problem);
    return new SettingsStore(path, defaultSettings(), problem, undefined);
  }

  /** A copy of the current settings. */
  get(): Settings {
    return structuredClone(this.current);
  }

  /**
   * Saves `change(current)`: validated, written to a temp file and renamed over settings.json,
   * then announced. Rejects (and keeps the old settings) when the result is invalid or cannot
   * be written.
   */
  update(change: (current: Settings) => Settings): Promise<Settings> {
    const run = this.queue.then(async () => {
      if (this.readOnlyReason) throw new RpcError(ErrorCode.Internal, this.readOnlyReason);
      const parsed = settingsSchema.safeParse(change(this.get()));
      if (!parsed.success) {
        throw new RpcError(
          ErrorCode.BadInput,
          `These settings cannot be saved: ${describeIssues(parsed.error)}.`,
        );
      }
      await writeAtomically(this.path, `${JSON.stringify(parsed.data, null, 2)}\n`);
      this.current = parsed.data;
      this.changed.fire(this.get());
      return this.get();
    });
    // The next save waits for this one, whether it worked or not.
    this.queue = run.catch(() => {});
    return run;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function parseSettings(
  text: string,
): { ok: true; settings: Settings } | { ok: false; why: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `not JSON: ${(err as Error).message}` };
  }
  const parsed = settingsSchema.safeParse(json);
  return parsed.success
    ? { ok: true, settings: parsed.data }
    : { ok: false, why: describeIssues(parsed.error) };
}

function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > 3) parts.push(`and ${error.issues.length - 3} more`);
  return parts.join('; ');
}

/** Temp file (0600) in the same folder, flushed, then renamed: readers see old or new, never half. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(text, 'utf8');
      // Without the flush a crash right after the rename can leave an empty file behind.
      await file.sync();
    } finally {
      await file.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw new RpcError(
      ErrorCode.Internal,
      `The settings could not be saved to ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}). ` +
        'Check that the folder exists and is writable by you.',
    );
  }
}
