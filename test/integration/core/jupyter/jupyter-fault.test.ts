// Fault suite, Jupyter: a real jupyter-notebook reached through the app's forward while the link
// is reset, black-holed and dropped, under steady traffic (status GETs, file-creating POSTs and
// a kernel's WebSocket running code that appends to a file). The forward heals on the same local
// port, and nothing that got an answer is lost or done twice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { JupyterService, type RemoteJupyter } from '../../../../src/core/jupyter/jupyter-service';
import { shQuote } from '../../../../src/core/jupyter/remote-scripts';
import { ForwardService } from '../../../../src/core/ssh/forward-service';
import {
  faultSeed,
  formatHeals,
  sleep,
  startFaultRig,
  waitFor,
  type FaultRig,
  type LinkFault,
} from '../../../helpers/fault-rig';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

/** One kernel client over the channels WebSocket: execute and wait for the shell's reply. */
class KernelClient {
  private ws: WebSocket | undefined;
  private readonly session = randomUUID();
  private readonly replies = new Map<string, (status: string) => void>();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** Opens (again) the WebSocket; resolves false when the forward could not carry it. */
  open(): Promise<boolean> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url, { headers: { Authorization: `token ${this.token}` } });
      ws.on('open', () => {
        this.ws = ws;
        resolve(true);
      });
      ws.on('error', () => resolve(false));
      ws.on('close', () => {
        if (this.ws === ws) this.ws = undefined;
        // Requests still waiting will never be answered on this socket: their outcome is unknown.
        for (const [, settle] of this.replies) settle('unknown');
        this.replies.clear();
        resolve(false);
      });
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as {
          channel: string;
          msg_type: string;
          parent_header: { msg_id?: string };
          content: { status?: string };
        };
        if (msg.channel !== 'shell' || msg.msg_type !== 'execute_reply') return;
        const settle = this.replies.get(msg.parent_header.msg_id ?? '');
        this.replies.delete(msg.parent_header.msg_id ?? '');
        settle?.(msg.content.status ?? 'unknown');
      });
    });
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** 'ok' when the kernel answered that it ran the code; 'unknown' when the socket died first. */
  execute(code: string): Promise<string> {
    const ws = this.ws;
    if (!ws) return Promise.resolve('not sent');
    const msgId = randomUUID();
    return new Promise((resolve) => {
      this.replies.set(msgId, resolve);
      ws.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            msg_type: 'execute_request',
            username: 'dsvm-pool-fault',
            session: this.session,
            date: new Date().toISOString(),
            version: '5.3',
          },
          parent_header: {},
          metadata: {},
          content: {
            code,
            silent: false,
            store_history: false,
            user_expressions: {},
            allow_stdin: false,
            stop_on_error: true,
          },
          channel: 'shell',
          buffers: [],
        }),
      );
    });
  }

  close(): void {
    this.ws?.terminate();
  }
}

describe('jupyter fault suite: real jupyter-notebook through resets, black holes, dropped flows', () => {
  let server: OpenSshServer;
  let dir: string;
  let rig: FaultRig;
  let home = '';
  let remote: RemoteJupyter | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jupyter-fault-'));
    server = await startOpenSshServer();
    rig = await startFaultRig(dir, server);
  });
  after(async () => {
    const link = rig?.connections.current(rig.info.id);
    if (link && remote?.pid) await link.exec(`kill ${remote.pid}`).catch(() => {});
    if (link && home) await link.exec(`rm -rf ${shQuote(home)}`).catch(() => {});
    await rig?.dispose();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fault: Jupyter heals on the same local port; answered requests are neither lost nor repeated', async () => {
    const { random } = faultSeed('jupyter fault');
    const { info } = rig;
    const link = () => rig.connections.get(info.id).connection;
    home = (await link().exec('mktemp -d /tmp/dsvmpool-jupyter-fault-XXXXXX')).stdout.trim();
    assert.match(home, /^\/tmp\/dsvmpool-jupyter-fault-/);
    const prefix = `HOME=${shQuote(home)}; export HOME; `;
    const jupyter = new JupyterService({ startTimeoutMs: 90_000 });
    remote = await jupyter.discoverOrStart(
      {
        where: link().where,
        exec: (command, options) => link().exec(prefix + command, options),
        shell: (options) =>
          link().shell({
            ...options,
            ...(options.command !== undefined ? { command: prefix + options.command } : {}),
          }),
        forwardOut: (...args) => link().forwardOut(...args),
      },
      { mode: 'notebook', instanceName: 'vm-0' },
    );
    const token = remote.token!;
    const forwards = new ForwardService({ links: rig.connections, coalesceMs: 10 });
    const kernels: KernelClient[] = [];
    let stopped = false;
    const heals: { fault: LinkFault; ms: number }[] = [];
    try {
      const forward = await forwards.add({
        connectionId: info.id,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost: remote.remoteHost,
        remotePort: remote.remotePort,
        label: 'Jupyter',
        kind: 'jupyter',
      });
      const port = forward.localPort;
      const base = `http://127.0.0.1:${port}`;
      const auth = { Authorization: `token ${token}` };
      await link().exec(`mkdir -p ${shQuote(`${home}/notebooks/fault`)}`);
      const created = await fetch(`${base}/api/kernels`, { method: 'POST', headers: auth });
      assert.equal(created.status, 201);
      const { id: kernelId } = (await created.json()) as { id: string };
      const log = `${home}/fault-executions.txt`;

      // Status GETs and file-creating POSTs, one after the other, until the faults are over.
      // Acknowledged = a complete response; a request that failed in flight is unknown.
      const gets = { ok: 0, failed: 0 };
      const posts = { sent: 0, acknowledged: [] as string[] };
      const http = (async () => {
        while (!stopped) {
          try {
            const status = await fetch(`${base}/api/status`, {
              headers: auth,
              signal: AbortSignal.timeout(10_000),
            });
            if (status.status === 200 && 'started' in ((await status.json()) as object)) gets.ok++;
            else gets.failed++;
          } catch {
            gets.failed++;
          }
          posts.sent++;
          try {
            const made = await fetch(`${base}/api/contents/fault`, {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json' },
              body: JSON.stringify({ type: 'file', ext: '.txt' }),
              signal: AbortSignal.timeout(10_000),
            });
            if (made.status === 201)
              posts.acknowledged.push(((await made.json()) as { path: string }).path);
          } catch {
            // Cut in flight: unknown whether the file was made. Never sent again.
          }
          await sleep(20);
        }
      })();

      // The kernel: execution n appends "n" to the log. Acknowledged = its execute_reply came
      // back `ok`. A socket that dies is opened again (as JupyterLab does), on the same port.
      const executions = { sent: 0, acknowledged: [] as number[], unknown: [] as number[] };
      const kernel = new KernelClient(
        `ws://127.0.0.1:${port}/api/kernels/${kernelId}/channels`,
        token,
      );
      kernels.push(kernel);
      let reopened = 0;
      const ws = (async () => {
        while (!stopped) {
          if (!kernel.isOpen) {
            if (!(await kernel.open())) {
              await sleep(50);
              continue;
            }
            reopened++;
          }
          const n = ++executions.sent;
          const outcome = await kernel.execute(
            `with open(${JSON.stringify(log)}, 'a') as f: f.write('${n}\\n')`,
          );
          if (outcome === 'ok') executions.acknowledged.push(n);
          else executions.unknown.push(n);
        }
      })();

      const faults: LinkFault[] = ['reset', 'black-hole', 'dropped-flow'];
      for (const fault of faults) {
        // A few answered executions between faults (3–10, the seed decides).
        const want = executions.acknowledged.length + 3 + Math.floor(random() * 8);
        await waitFor(
          `kernel traffic before the ${fault}`,
          () => executions.acknowledged.length >= want,
          60_000,
        );
        heals.push({ fault, ms: await rig.inject(fault) });
        assert.equal(forwards.list()[0]?.localPort, port, 'the same local port');
      }
      // Healed: traffic flows again on the same port.
      const settled = { gets: gets.ok, executions: executions.acknowledged.length };
      await waitFor(
        'traffic after the last heal',
        () => gets.ok > settled.gets + 3 && executions.acknowledged.length > settled.executions + 3,
        60_000,
      );
      stopped = true;
      await Promise.all([http, ws]);

      // The kernel ran each answered execution exactly once; nothing ran twice.
      const ran = (await link().exec(`cat ${shQuote(log)}`)).stdout
        .split('\n')
        .filter(Boolean)
        .map(Number);
      const twice = ran.filter((n, i) => ran.indexOf(n) !== i);
      assert.deepEqual(twice, [], 'no execution ran twice');
      const missing = executions.acknowledged.filter((n) => !ran.includes(n));
      assert.deepEqual(missing, [], 'every answered execution ran');
      assert.ok(
        ran.every((n) => n >= 1 && n <= executions.sent),
        'only what was sent ran',
      );

      // Every answered POST made its file; no POST made two.
      const listing = (await (
        await fetch(`${base}/api/contents/fault`, { headers: auth })
      ).json()) as {
        content: { path: string }[];
      };
      const files = listing.content.map((f) => f.path);
      assert.deepEqual(
        posts.acknowledged.filter((p) => !files.includes(p)),
        [],
      );
      assert.ok(files.length <= posts.sent, `${files.length} files for ${posts.sent} POSTs`);
      assert.ok(reopened >= faults.length + 1, 'the WebSocket was cut and opened again');
      assert.equal(forwards.list()[0]?.localPort, port);

      await fetch(`${base}/api/kernels/${kernelId}`, { method: 'DELETE', headers: auth });
      console.log(
        `# jupyter fault: heal times ${formatHeals(heals)}; GETs ${gets.ok} ok / ${gets.failed} ` +
          `failed in flight; POSTs ${posts.acknowledged.length} answered of ${posts.sent}, ` +
          `${files.length} files; executions ${executions.acknowledged.length} answered, ` +
          `${executions.unknown.length} unknown, ${ran.length} ran; WebSocket opened ${reopened} times`,
      );
    } finally {
      stopped = true;
      for (const kernel of kernels) kernel.close();
      forwards.dispose();
      jupyter.dispose();
    }
  });
});
