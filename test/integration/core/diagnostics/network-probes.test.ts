// The connection test's network probes on real loopback sockets: an SSH greeting after other
// lines, a port that speaks HTTP, one that hangs up, one that stays silent, and a host key read
// from a key exchange that never signs in.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ProbeFailure } from '../../../../src/core/diagnostics/diagnostic-probes';
import { NetworkProbes } from '../../../../src/core/diagnostics/network-probes';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

/** A loopback server that does `onSocket` with each connection; returns its port. */
async function serve(onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

async function failure(work: Promise<unknown>): Promise<ProbeFailure> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof ProbeFailure, String(err));
    return err;
  }
  throw new Error('expected the probe to fail');
}

describe('NetworkProbes on loopback', () => {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let sshd: OpenSshServer;
  const probes = new NetworkProbes({ timeoutMs: 500, keyExchangeTimeoutMs: 10_000 });

  before(async () => {
    sshd = await startOpenSshServer();
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await sshd?.stop();
  });
  const track = async (onSocket: (socket: net.Socket) => void) => {
    const server = await serve((socket) => {
      sockets.add(socket);
      onSocket(socket);
    });
    servers.push(server);
    return portOf(server);
  };

  test('the SSH identification line, after other lines a server may send first (RFC 4253 §4.2)', async () => {
    const port = await track((s) => s.write('Welcome to the lab\r\nSSH-2.0-Test_1.0 extra\r\n'));
    assert.equal(await probes.readBanner('127.0.0.1', port), 'SSH-2.0-Test_1.0 extra');
    assert.match(await probes.readBanner('127.0.0.1', sshd.port), /^SSH-2\.0-OpenSSH_/);
  });

  test('a port that answers HTTP, one that hangs up, one that stays silent', async () => {
    const hangsUp = await track((s) => s.end());
    const silent = await track(() => {});
    const talks = await track((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const said = await failure(probes.readBanner('127.0.0.1', talks));
    assert.equal(said.kind, 'not-ssh');
    assert.match(said.message, /answered "HTTP\/1\.1 400 Bad Request"/);
    assert.equal((await failure(probes.readBanner('127.0.0.1', hangsUp))).kind, 'closed');
    const quiet = await failure(probes.readBanner('127.0.0.1', silent));
    assert.equal(quiet.kind, 'timeout');
    assert.match(quiet.message, /sent no SSH greeting/);
  });

  test('TCP: refused on a closed port; a name that does not resolve', async () => {
    const server = await serve(() => {});
    const closed = portOf(server);
    await new Promise((resolve) => server.close(resolve));
    assert.equal((await failure(probes.connectTcp('127.0.0.1', closed))).kind, 'refused');
    await probes.connectTcp('127.0.0.1', sshd.port);
    const unknown = await failure(probes.resolve('no-such-host.invalid'));
    assert.equal(unknown.kind, 'not-found');
    assert.deepEqual(await probes.resolve('localhost').then((a) => a.length > 0), true);
  });

  test('the host key from the key exchange is the server’s own', async () => {
    const key = await probes.fetchHostKey('127.0.0.1', sshd.port);
    assert.ok(key.equals(sshd.hostKeyPublic));
  });
});
