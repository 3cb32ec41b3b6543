// Our ssh2 patch (patches/ssh2+1.17.0.patch, applied by patch-package on install) gives port
// forward channels a 16 MiB window and 256 KiB packets, so a tunnel over a long link is not
// capped by ssh2's 2 MiB window; terminals keep the small one. It also corks the socket for a tick,
// so the packets of one tick leave in one write. This fails if the patch stops applying (e.g.
// after an ssh2 upgrade).
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { startOpenSshServer } from '../../../helpers/openssh-server';
import { connectToSshd } from '../../../helpers/sshd-connection';

type Sshd = Awaited<ReturnType<typeof startOpenSshServer>>;
interface ChannelWindow {
  incoming: { window: number; packetSize: number; maxWindow?: number };
}

describe('ssh2 window patch', () => {
  let sshd: Sshd;
  let target: Server;
  let connection: SshConnection;

  before(async () => {
    sshd = await startOpenSshServer();
    target = createServer((socket) => {
      socket.resume();
      socket.on('error', () => {});
      socket.end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    connection = await connectToSshd(sshd);
  });

  after(async () => {
    connection?.dispose();
    await new Promise((resolve) => target?.close(resolve));
    await sshd?.stop();
  });

  it('opens port-forward channels with a 16 MiB window and 256 KiB packets', async () => {
    const port = (target.address() as { port: number }).port;
    const channel = (await connection.forwardOut(
      '127.0.0.1',
      0,
      '127.0.0.1',
      port,
    )) as unknown as ChannelWindow;
    assert.equal(channel.incoming.maxWindow, 16 * 1024 * 1024);
    assert.equal(channel.incoming.window, 16 * 1024 * 1024);
    assert.equal(channel.incoming.packetSize, 256 * 1024);
  });

  it('keeps the stock 2 MiB window for terminal channels', async () => {
    const channel = (await connection.shell({ cols: 80, rows: 24 })) as unknown as ChannelWindow;
    assert.equal(channel.incoming.maxWindow ?? 2 * 1024 * 1024, 2 * 1024 * 1024);
    assert.ok(channel.incoming.window <= 2 * 1024 * 1024);
  });

  it('sends the packets of one tick in one socket write', async () => {
    // Sent apart, a server's answer to the first packet (e.g. our EOF) can cross the second
    // (our CLOSE) and wait unacknowledged; sshd, with Nagle on where no pty was asked for, then
    // holds its next small packet for our delayed ACK: 40 ms stalls on 2 % of tunnel requests.
    const port = (target.address() as { port: number }).port;
    const channel = await connection.forwardOut('127.0.0.1', 0, '127.0.0.1', port);
    channel.on('error', () => {});
    const sock = (connection as unknown as { client: { _sock: Socket } }).client._sock as Socket & {
      _write: (...args: unknown[]) => void;
      _writev: (chunks: unknown[], cb: unknown) => void;
    };
    const writes: number[] = [];
    const { _write, _writev } = sock;
    sock._write = function (...args: unknown[]) {
      writes.push(1);
      return _write.apply(this, args);
    };
    sock._writev = function (chunks: unknown[], cb: unknown) {
      writes.push(chunks.length);
      return _writev.call(this, chunks, cb);
    };
    try {
      channel.write(Buffer.from('first'));
      channel.write(Buffer.from('second'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      sock._write = _write;
      sock._writev = _writev;
      channel.close();
    }
    assert.deepEqual(writes, [2], 'two CHANNEL_DATA packets in one writev');
  });
});
