// MessagePortMainTransport: the RPC transport over a (fake) Electron MessagePortMain.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessagePortMainTransport } from '../../../src/common/transports/message-port-main';
import { FakeMessageChannel } from '../main/fake-electron';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('MessagePortMainTransport', () => {
  it('starts the port and carries messages both ways', async () => {
    const { port1, port2 } = new FakeMessageChannel();
    const a = new MessagePortMainTransport(port1);
    const b = new MessagePortMainTransport(port2);
    assert.equal(port1.started, true);
    const received: unknown[] = [];
    b.onMessage((m) => received.push(m));
    a.send({ type: 'subscribe', event: 'pools.onDidChange' });
    await tick();
    assert.deepEqual(received, [{ type: 'subscribe', event: 'pools.onDidChange' }]);
  });

  it('closes both ends once, and refuses to send after', async () => {
    const { port1, port2 } = new FakeMessageChannel();
    const a = new MessagePortMainTransport(port1);
    const b = new MessagePortMainTransport(port2);
    let aClosed = 0;
    let bClosed = 0;
    a.onClose(() => aClosed++);
    b.onClose(() => bClosed++);
    a.close();
    a.close();
    assert.equal(port1.closed, true);
    assert.equal(aClosed, 1);
    await tick();
    assert.equal(bClosed, 1, "the other end sees the port's close event");
    assert.throws(() => a.send({ type: 'cancel', id: 1 }), /closed/);
    assert.throws(() => b.send({ type: 'cancel', id: 1 }), /closed/);
  });
});
