// Runs a CustomScript extension's job in a namespace VM as the Linux CustomScript extension v2
// does (Azure/custom-script-extension-linux main/cmds.go, exec.go): files in
// /var/lib/waagent/custom-script/download/0 (folder 0700), the script as script.sh (0500), the
// command through `/bin/sh -c` in that folder as root, stdout and stderr into `stdout` and
// `stderr` there (0600); the status takes the last 4 KiB of each.
import { MAX_TAIL, type CustomScriptJob, type CustomScriptResult } from '../azure/custom-script';
import type { NamespaceVm } from './namespace-vm';

/** The guest agent's environment for an extension: root, the usual PATH, no terminal. */
const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ConfigSequenceNumber: '0',
};

export async function runCustomScript(
  vm: NamespaceVm,
  job: CustomScriptJob,
): Promise<CustomScriptResult> {
  const made = await vm.run(
    ['/bin/sh', '-c', 'mkdir -p -m 0700 "$1" && chmod 0700 "$1"', 'cse', job.dir],
    {
      timeoutMs: 30_000,
    },
  );
  if (made.code !== 0) throw new Error(`failed to prepare output directory: ${made.stderr.trim()}`);
  for (const file of job.files) await vm.writeFile(`${job.dir}/${file.name}`, file.data, 0o500);
  let command = job.commandToExecute ?? '';
  if (job.script !== undefined) {
    command = `${job.dir}/script.sh`;
    await vm.writeFile(command, Buffer.from(job.script, 'utf8'), 0o500);
  }
  const ran = await vm.run(
    [
      '/bin/sh',
      '-c',
      'umask 077 && : > "$1/stdout" && : > "$1/stderr" && umask 022 && cd "$1" && exec /bin/sh -c "$2" >> "$1/stdout" 2>> "$1/stderr" < /dev/null',
      'cse',
      job.dir,
      command,
    ],
    { timeoutMs: job.timeoutMs, env: ENV },
  );
  const tailOf = async (name: string) =>
    (await vm.run(['tail', '-c', String(MAX_TAIL), `${job.dir}/${name}`], { timeoutMs: 30_000 }))
      .stdout;
  return {
    exitCode: ran.code,
    stdout: await tailOf('stdout'),
    stderr: await tailOf('stderr'),
    timedOut: ran.timedOut,
  };
}
