// The Content-Security-Policy string, for the built app and for the dev server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy } from '../../../../src/main/security/content-security-policy';

describe('contentSecurityPolicy', () => {
  it('is strict for the built app', () => {
    assert.equal(
      contentSecurityPolicy(),
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'",
    );
  });

  it('allows the dev server its inline refresh script and hot-reload socket only', () => {
    const policy = contentSecurityPolicy('https://localhost:5173');
    assert.match(policy, /script-src 'self' 'unsafe-inline';/);
    assert.match(policy, /connect-src 'self' wss:\/\/localhost:5173;/);
    assert.doesNotMatch(policy, /unsafe-eval/);
  });
});
