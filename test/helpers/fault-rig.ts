// The fault suite's rig: the app's ConnectionService reaching a real OpenSSH server through a
// fault-injecting loopback proxy (tcp-proxy.ts), with fast timings, heal-time measurement and a
// printed seed, so every fault test cuts and heals links the same way.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Emitter } from '../../src/common/event';
import type { ConnectionInfo, InstanceInfo } from '../../src/common/models';
import type { ConnectTarget, PoolProvider } from '../../src/core/providers/pool-provider';
import { PromptService } from '../../src/core/prompts/prompt-service';
import { ConnectionService } from '../../src/core/sessions/connection-service';
import type { ConnectionTimings } from '../../src/core/sessions/connection-timings';
import { KnownHostsStore } from '../../src/core/ssh/known-hosts-store';
import type { OpenSshServer } from './openssh-server';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Keepalive notices a black hole in under a second and retries start at 50 ms: the app's logic
 * with its timings scaled down (the defaults are 30 s × 3 and 0.5 s), so a run stays short.
 */
export const FAULT_TIMINGS: Partial<ConnectionTimings> = {
  keepaliveIntervalMs: 200,
  keepaliveCountMax: 3,
  readyTimeoutMs: 2_000,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  giveUpAfterMs: 30_000,
};

/** The faults every session test applies, in this order. */
export type LinkFault = 'reset' | 'black-hole' | 'dropped-flow';

/** How long a timed black hole lasts: longer than keepalive's 3 × 200 ms, so the app notices. */
export const BLACK_HOLE_MS = 1_500;

/**
 * A seed for the run, printed so a failing run can be repeated (FAULT_SEED=<n>): it picks where
 * in the traffic each fault lands.
 */
export function faultSeed(suite: string): { seed: number; random: () => number } {
  const seed = Number(process.env.FAULT_SEED) || randomBytes(4).readUInt32LE(0);
  console.log(`# ${suite}: FAULT_SEED=${seed}`);
  // mulberry32: small, and the same sequence for the same seed.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, random };
}

/** One instance, reached through the proxy. */
class ProxiedPool implements PoolProvider {
  readonly id = 'fault-pool';
  readonly kind = 'ssh-hosts' as const;
  readonly name = 'Fault pool';
  readonly description = 'OpenSSH on 127.0.0.1 behind a fault-injecting proxy';
  private readonly changed = new Emitter<void>();
  readonly onDidChangeInstances = this.changed.event;

  constructor(
    private readonly server: OpenSshServer,
    private readonly proxy: TcpProxy,
  ) {}

  get user(): string {
    return this.server.username;
  }

  async start(): Promise<void> {}

  listInstances(): InstanceInfo[] {
    const port = this.proxy.port;
    return [{ id: 'vm-0', name: 'vm-0', state: 'running', host: '127.0.0.1', port, sessions: {} }];
  }

  async connectTarget(): Promise<ConnectTarget> {
    const { username, privateKey } = this.server;
    return { host: '127.0.0.1', port: this.proxy.port, username, privateKey };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export interface FaultRig {
  proxy: TcpProxy;
  connections: ConnectionService;
  info: ConnectionInfo;
  /** Every state the connection went through, with when. */
  states: { state: string; at: number }[];
  /**
   * Applies the fault and resolves when the connection is `connected` again, with the time
   * from the fault's start (a black hole's length included) to the healed link.
   */
  inject(fault: LinkFault): Promise<number>;
  dispose(): Promise<void>;
}

/** Connects the app to the server through a fresh proxy (the first host key is trusted). */
export async function startFaultRig(dir: string, server: OpenSshServer): Promise<FaultRig> {
  const proxy = await startTcpProxy(server.port);
  const pool = new ProxiedPool(server, proxy);
  const prompts = new PromptService();
  prompts.onDidOpen((prompt) => setTimeout(() => prompts.answer(prompt.id, true), 1));
  const connections = new ConnectionService({
    providers: new Map([[pool.id, pool]]),
    knownHosts: new KnownHostsStore(
      join(dir, `known-hosts-${randomBytes(4).toString('hex')}.json`),
    ),
    prompts,
    log: () => {},
    timings: FAULT_TIMINGS,
  });
  const states: { state: string; at: number }[] = [];
  connections.onDidChange((info) => states.push({ state: info.state, at: Date.now() }));
  const info = await connections.connect(pool.id, undefined);

  const inject = async (fault: LinkFault): Promise<number> => {
    const start = Date.now();
    const seen = states.length;
    const reconnected = () =>
      states.slice(seen).some((s) => s.state === 'reconnecting') &&
      connections.state(info.id) === 'connected';
    if (fault === 'reset') proxy.reset();
    if (fault === 'black-hole') await proxy.blackHoleFor(BLACK_HOLE_MS);
    if (fault === 'dropped-flow') {
      // The flow's state is gone (e.g. an idle flow dropped by a load balancer): the old
      // connection is dead for good, keepalive must notice; new ones get through.
      proxy.pause();
      await waitFor('keepalive to notice', () =>
        states.slice(seen).some((s) => s.state === 'reconnecting'),
      );
      proxy.resume();
    }
    await waitFor(`the link to heal after a ${fault}`, reconnected, 30_000);
    return Date.now() - start;
  };

  return {
    proxy,
    connections,
    info,
    states,
    inject,
    async dispose() {
      await connections.close(info.id).catch(() => {});
      connections.dispose();
      prompts.dispose();
      pool.dispose();
      await proxy.close();
    },
  };
}

/** Heal times for the summary line every fault test prints. */
export function formatHeals(heals: { fault: LinkFault; ms: number }[]): string {
  return heals.map((h) => `${h.fault} ${h.ms} ms`).join(', ');
}
