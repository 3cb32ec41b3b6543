// isTrustedSender: only the main frame of our window, showing our page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrustedSender } from '../../../../src/main/security/trusted-sender';
import { FakeWebContents, FakeWebFrame } from '../fake-electron';

const APP = 'file:///app/out/renderer/index.html';

function setup() {
  const ours = new FakeWebContents();
  ours.mainFrame.url = APP;
  const policy = {
    isOurContents: (c: unknown) => c === ours,
    isAppUrl: (url: string) => url.split('#')[0] === APP,
  };
  return { ours, policy };
}

describe('isTrustedSender', () => {
  it('trusts the main frame of our window on our page', () => {
    const { ours, policy } = setup();
    assert.equal(isTrustedSender({ sender: ours, senderFrame: ours.mainFrame }, policy), true);
    ours.mainFrame.url = `${APP}#/pools`;
    assert.equal(isTrustedSender({ sender: ours, senderFrame: ours.mainFrame }, policy), true);
  });

  it('rejects child frames, other contents, other pages, gone frames and dead contents', () => {
    const { ours, policy } = setup();
    const child = new FakeWebFrame(APP, ours.mainFrame);
    assert.equal(isTrustedSender({ sender: ours, senderFrame: child }, policy), false);

    const orphan = new FakeWebFrame(APP); // a top frame, but not this contents' main frame
    assert.equal(isTrustedSender({ sender: ours, senderFrame: orphan }, policy), false);

    const other = new FakeWebContents();
    other.mainFrame.url = APP;
    assert.equal(isTrustedSender({ sender: other, senderFrame: other.mainFrame }, policy), false);

    assert.equal(isTrustedSender({ sender: ours, senderFrame: null }, policy), false);

    ours.mainFrame.url = 'https://evil.example/';
    assert.equal(isTrustedSender({ sender: ours, senderFrame: ours.mainFrame }, policy), false);

    ours.mainFrame.url = APP;
    ours.destroy();
    assert.equal(isTrustedSender({ sender: ours, senderFrame: ours.mainFrame }, policy), false);
  });
});
