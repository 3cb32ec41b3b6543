// The served emulator's control channel (serve.ts `{"control": true}`), for e2e tests that drive
// the emulator from another process: the autoscale engine's clock and evaluations, a VM's
// scale-in protection as its agent would set it, a raw ARM request. Plain HTTP on 127.0.0.1 only,
// behind a random token; test-only (Azure has no such thing).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from './autoscale-clock';
import type { AzureEmulator } from './azure-emulator';
import { RawArmClient } from './raw-arm-client';
import type { InjectedEvent } from './scheduled-events';

export interface ControlChannel {
  /** `http://127.0.0.1:<port>/<token>/`: POST JSON to `<url>clock`, `evaluate`, `arm`, `scheduled-event`. */
  url: string;
  close(): Promise<void>;
}

/**
 * POST `clock` `{ set?: ISO, advanceMs?: number }` → `{ now }` (a ManualClock only);
 * POST `evaluate` → the evaluations; POST `arm` `{ method, path, body? }` → `{ status, body }`;
 * POST `scheduled-event` `{ resourceGroup, scaleSet, instanceId, type, description? }` →
 * `{ eventId }`, or with `clear: true` (and `eventId`) to take it back.
 */
export async function startControl(
  emulator: AzureEmulator,
  /** Told the clock's new time after each move (the VMs' agents follow it). */
  onClockMoved: (now: number) => Promise<void> = async () => {},
): Promise<ControlChannel> {
  const token = randomBytes(16).toString('hex');
  const raw = new RawArmClient(emulator);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const [, got, route] = (req.url ?? '').split('/');
      if (req.method !== 'POST' || got !== token) return answer(404, { error: 'not found' });
      let input: Record<string, unknown> = {};
      try {
        input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as typeof input) : {};
      } catch {
        return answer(400, { error: 'not JSON' });
      }
      void (async () => {
        switch (route) {
          case 'clock': {
            const clock = emulator.autoscale.clock;
            if (!(clock instanceof ManualClock))
              return answer(409, { error: 'not a manual clock' });
            if (typeof input.set === 'string') clock.set(input.set);
            if (typeof input.advanceMs === 'number') clock.advance(input.advanceMs);
            await onClockMoved(clock.now());
            return answer(200, { now: new Date(clock.now()).toISOString() });
          }
          case 'evaluate':
            return answer(200, await emulator.autoscale.evaluateNow());
          case 'arm': {
            const r = await raw.request(String(input.method), String(input.path), input.body);
            return answer(200, { status: r.status, body: r.body });
          }
          case 'scheduled-event': {
            // A maintenance event on one VM (Reboot, Redeploy, Freeze, Preempt) with nothing behind
            // it, as Azure's platform announces them; `clear` takes it back.
            const { resourceGroup, scaleSet, instanceId, type, eventId } = input as Record<
              string,
              string
            >;
            if (input.clear) {
              emulator.clearScheduledEvent(resourceGroup!, scaleSet!, instanceId!, eventId);
              return answer(200, {});
            }
            const injected = emulator.injectScheduledEvent(resourceGroup!, scaleSet!, instanceId!, {
              type: type as InjectedEvent['type'],
              ...(typeof input.description === 'string' ? { description: input.description } : {}),
            });
            return answer(200, { eventId: injected });
          }
          default:
            return answer(404, { error: `no control ${route}` });
        }
      })().catch((err: unknown) => answer(500, { error: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
