// The Linux CustomScript extension v2 (Microsoft.Azure.Extensions/CustomScript) as the emulator
// runs it on a VM backend that can (namespace VMs): its settings (public and protected merged),
// fileUris downloaded into /var/lib/waagent/custom-script/download/0, `script` (base64, maybe
// gzip) written as script.sh and run with `/bin/sh -c`, the exit code and the last 4 KiB of stdout
// and stderr turned into the extension's status and, on failure, the VM's provisioning error.
// Sources: README.md ("Extensions: the agent's CustomScript").
import { gunzipSync } from 'node:zlib';
import type { ArmErrorBody } from './arm-error';

type Json = Record<string, unknown>;

/** One extension of a scale set's model, with its protected settings (never shown by ARM). */
export interface ExtensionModel {
  name: string;
  publisher: string;
  type: string;
  typeHandlerVersion: string;
  settings: Json;
  protectedSettings: Json;
}

/** What a VM runs for a CustomScript extension (the download folder, files, command). */
export interface CustomScriptJob {
  /** `/var/lib/waagent/custom-script/download/0` (sequence number 0: the model's first config). */
  dir: string;
  /** fileUris, downloaded: saved under their URL's last path segment. */
  files: Array<{ name: string; data: Buffer }>;
  /** `script`, decoded: saved as `<dir>/script.sh` (0500), the command is then that path. */
  script?: string;
  /** Run as `/bin/sh -c <command>` in `dir` when there is no script. */
  commandToExecute?: string;
  /** Killed after this long (CustomScript may run 90 minutes). */
  timeoutMs: number;
}

/** What the VM reports: the exit code and the tails of `<dir>/stdout` and `<dir>/stderr`. */
export interface CustomScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface InstanceViewStatus {
  code: string;
  level: 'Info' | 'Warning' | 'Error';
  displayStatus: string;
  message: string;
  time?: string;
}

/** An entry of a VM instance view's `extensions[]`. */
export interface ExtensionInstanceView {
  name: string;
  type: string;
  typeHandlerVersion: string;
  statuses: InstanceViewStatus[];
}

/** How an extension ended on one VM: its instance view, and the VM's error when it failed. */
export interface ExtensionOutcome {
  view: ExtensionInstanceView;
  failure?: ArmErrorBody;
}

export const CUSTOM_SCRIPT_DIR = '/var/lib/waagent/custom-script/download/0';
/** Extensions get 20 minutes, CustomScript 90 (features-linux, "Common reasons for extension failures"). */
export const CUSTOM_SCRIPT_TIMEOUT_MS = 90 * 60_000;
/** main/cmds.go: maxTailLen = 4 * 1024, maxScriptSize = 256 * 1024 (of the base64 text). */
export const MAX_TAIL = 4 * 1024;
const MAX_SCRIPT = 256 * 1024;

export function isCustomScriptV2(ext: Pick<ExtensionModel, 'publisher' | 'type'>): boolean {
  return (
    ext.publisher.toLowerCase() === 'microsoft.azure.extensions' &&
    ext.type.toLowerCase() === 'customscript'
  );
}

/** The extensions of a scale set model's `extensionProfile`, with the protected settings kept aside. */
export function modelExtensions(
  profile: Json,
  protectedByName: Map<string, Json>,
): ExtensionModel[] {
  const list = (profile.extensionProfile as Json | undefined)?.extensions;
  if (!Array.isArray(list)) return [];
  return (list as Json[]).map((ext) => {
    const props = (ext.properties ?? {}) as Json;
    const name = String(ext.name ?? '');
    return {
      name,
      publisher: String(props.publisher ?? ''),
      type: String(props.type ?? ''),
      typeHandlerVersion: String(props.typeHandlerVersion ?? ''),
      settings: (props.settings ?? {}) as Json,
      protectedSettings: protectedByName.get(name.toLowerCase()) ?? {},
    };
  });
}

type Prepared = { job: CustomScriptJob } | { error: string };

/**
 * The job of a CustomScript extension: settings merged (each field in public or protected
 * settings, not both), the script decoded, fileUris fetched. `{ error }` is the status message
 * CustomScript reports instead (the script never runs then).
 */
export async function prepareCustomScript(
  ext: ExtensionModel,
  fetchFile: (uri: string) => Promise<Buffer>,
  timeoutMs: number,
): Promise<Prepared> {
  const field = (name: string): unknown => {
    const inPublic = ext.settings[name];
    const inProtected = ext.protectedSettings[name];
    if (inPublic !== undefined && inProtected !== undefined) {
      throw new Error(
        `failed to get configuration: invalid configuration: '${name}' was specified in both the public and the protected settings`,
      );
    }
    return inPublic ?? inProtected;
  };
  let command: unknown, script: unknown, fileUris: unknown;
  try {
    command = field('commandToExecute');
    script = field('script');
    fileUris = field('fileUris');
  } catch (err) {
    return { error: `Enable failed: ${(err as Error).message}` };
  }
  if ((command === undefined) === (script === undefined)) {
    return {
      error:
        "Enable failed: failed to get configuration: invalid configuration: Either 'commandToExecute' or 'script' should be specified, but not both",
    };
  }
  const job: CustomScriptJob = { dir: CUSTOM_SCRIPT_DIR, files: [], timeoutMs };
  const uris = Array.isArray(fileUris) ? fileUris.map(String) : [];
  for (const [i, uri] of uris.entries()) {
    try {
      const name = decodeURIComponent(new URL(uri).pathname.split('/').pop() ?? '');
      if (!name || name === '.' || name === '..') throw new Error(`${uri} names no file`);
      job.files.push({ name, data: await fetchFile(uri) });
    } catch (err) {
      return {
        error: `Enable failed: processing file downloads failed: failed to download file[${i}]: ${(err as Error).message}`,
      };
    }
  }
  if (script !== undefined) {
    const text = String(script);
    if (text.length > MAX_SCRIPT) {
      return {
        error: `Enable failed: The script's length (${text.length}) exceeded the maximum allowed length of ${MAX_SCRIPT}!`,
      };
    }
    const raw = Buffer.from(text, 'base64');
    let decoded: string;
    try {
      decoded =
        raw[0] === 0x1f && raw[1] === 0x8b
          ? gunzipSync(raw).toString('utf8')
          : raw.toString('utf8');
    } catch (err) {
      return { error: `Enable failed: failed to decompress script: ${(err as Error).message}` };
    }
    // dos2unix, unless the public settings say skipDos2Unix.
    job.script =
      ext.settings.skipDos2Unix === true
        ? decoded
        : decoded.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  } else {
    job.commandToExecute = String(command);
  }
  return { job };
}

/** `2.1` → `2.1.10`: the handler version the guest agent reports (a patch of that minor). */
function handlerVersion(model: string): string {
  return /^\d+\.\d+$/.test(model) ? `${model}.10` : model;
}

/** The instance view and, when it failed, the VM's provisioning error, as Azure words them. */
export function customScriptOutcome(
  ext: ExtensionModel,
  ended: CustomScriptResult | { error: string },
  time = new Date().toISOString(),
): ExtensionOutcome {
  const base = {
    name: ext.name,
    type: `${ext.publisher}.${ext.type}`,
    typeHandlerVersion: handlerVersion(ext.typeHandlerVersion),
  };
  const failed = (message: string): ExtensionOutcome => ({
    view: {
      ...base,
      statuses: [
        {
          code: 'ProvisioningState/failed/0',
          level: 'Error',
          displayStatus: 'Provisioning failed',
          message,
          time,
        },
      ],
    },
    failure: {
      code: 'VMExtensionProvisioningError',
      message:
        `VM has reported a failure when processing extension '${ext.name}' (publisher '${ext.publisher}' and type '${ext.type}'). ` +
        `Error message: '${message}'. More information on troubleshooting is available at https://aka.ms/VMExtensionCSELinuxTroubleshoot. `,
    },
  });
  if ('error' in ended) return failed(ended.error);
  const output = `\n[stdout]\n${ended.stdout}\n[stderr]\n${ended.stderr}`;
  if (ended.timedOut) {
    return {
      view: {
        ...base,
        statuses: [
          {
            code: 'ProvisioningState/transitioning',
            level: 'Info',
            displayStatus: 'Transitioning',
            message: 'Enable in progress',
            time,
          },
        ],
      },
      failure: {
        code: 'VMExtensionProvisioningTimeout',
        message: `Provisioning of VM extension '${ext.name}' has timed out. Extension provisioning has taken too long to complete. The extension last reported "Enable in progress".`,
      },
    };
  }
  if (ended.exitCode !== 0) {
    return failed(
      `Enable failed: failed to execute command: command terminated with exit status=${ended.exitCode}${output}`,
    );
  }
  return {
    view: {
      ...base,
      statuses: [
        {
          code: 'ProvisioningState/succeeded',
          level: 'Info',
          displayStatus: 'Provisioning succeeded',
          message: `Enable succeeded: ${output}`,
          time,
        },
      ],
    },
  };
}

/** The last `MAX_TAIL` bytes of an output file, as CustomScript's tailFile reads them. */
export function tail(data: Buffer): string {
  return data.subarray(Math.max(0, data.length - MAX_TAIL)).toString('utf8');
}
