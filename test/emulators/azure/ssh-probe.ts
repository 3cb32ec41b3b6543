// Small SSH and TCP probes for emulator tests: run a command on an emulated VM through its NAT
// port, and tell whether a port answers at all.
import net from 'node:net';
import ssh2 from 'ssh2';

const { Client } = ssh2;

export interface SshResult {
  stdout: string;
  code: number | null;
  /** The server's host key blob, to check it survives a restart. */
  hostKey: Buffer;
}

/** Signs in with the key and runs one command (no pty). */
export function sshExec(
  port: number,
  username: string,
  privateKey: string,
  command: string,
): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey: Buffer = Buffer.alloc(0);
    client.on('error', (err) => {
      client.end();
      reject(err);
    });
    client.on('ready', () => {
      client.exec(command, (err, stream) => {
        if (err) {
          client.end();
          reject(err);
          return;
        }
        let stdout = '';
        let code: number | null = null;
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', () => {});
        stream.on('exit', (c: number | null) => (code = c));
        stream.on('close', () => {
          client.end();
          resolve({ stdout, code, hostKey });
        });
      });
    });
    client.connect({
      host: '127.0.0.1',
      port,
      username,
      privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        hostKey = key;
        return true;
      },
    });
  });
}

/** 'open' when something accepts a TCP connection on 127.0.0.1:port, else 'closed'. */
export function probePort(port: number): Promise<'open' | 'closed'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('closed');
    });
    socket.once('error', () => resolve('closed'));
  });
}
