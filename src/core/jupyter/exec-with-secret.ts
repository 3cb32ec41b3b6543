// Runs a remote command and types a secret into it once it asks, so the secret travels on the
// channel's stdin and never in a command line, which `ps` on the VM shows to every user.
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import type { ExecResult, SshConnection } from '../ssh/ssh-connection';
import { MARK } from './remote-scripts';

/**
 * Runs `command` and writes `secret` + newline to it after it printed a `@@dsvm-pool:ready`
 * line. SshConnection.exec offers no stdin, so this uses a pty channel (`shell({ command })`);
 * the command should turn the pty's echo off before saying ready. A pty merges stderr into
 * stdout, so everything comes back as `stdout`, with carriage returns and the secret removed.
 */
export async function execWithSecret(
  connection: Pick<SshConnection, 'shell' | 'where'>,
  command: string,
  secret: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const { signal, timeoutMs = 30_000 } = options;
  const cancelled = () =>
    new RpcError(ErrorCode.Cancelled, `The command on ${connection.where} was cancelled.`);
  if (signal?.aborted) throw cancelled();
  const channel: ClientChannel = await connection.shell({
    cols: 200,
    rows: 24,
    term: 'dumb',
    command,
  });
  return new Promise<ExecResult>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let output = '';
    let sent = false;
    let code: number | null = null;
    let exitSignal: string | undefined;
    let settled = false;
    const clean = (text: string) => text.replace(/\r/g, '').split(secret).join('…');
    const finish = (err?: RpcError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        channel.close();
        return reject(err);
      }
      output += decoder.end();
      resolve({
        code,
        ...(exitSignal ? { signal: exitSignal } : {}),
        stdout: clean(output),
        stderr: '',
      });
    };
    const onAbort = () => finish(cancelled());
    const timer = setTimeout(
      () =>
        finish(
          new RpcError(
            ErrorCode.Internal,
            `A command on ${connection.where} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
          ),
        ),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    channel.on('data', (chunk: Buffer) => {
      output += decoder.write(chunk);
      if (!sent && new RegExp(`(^|\\n)${MARK}ready\\r?\\n`).test(output)) {
        sent = true;
        channel.write(`${secret}\n`);
      }
    });
    channel.on('exit', (exitCode: unknown, name: unknown) => {
      if (typeof exitCode === 'number') code = exitCode;
      if (typeof name === 'string') exitSignal = name;
    });
    channel.on('error', () => {});
    channel.on('close', () => finish());
  });
}
