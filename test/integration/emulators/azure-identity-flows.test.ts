// The emulator's Entra ID for a person, over raw HTTPS as MSAL speaks it: the device code grant
// (pending until the user enters the code), the authorization code grant with PKCE on a loopback
// redirect, refresh tokens, and what Entra refuses (README, "Sign-in of a person").
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';

type Json = Record<string, unknown>;

describe('Azure emulator: a person signs in (device code, browser, refresh)', () => {
  let emulator: AzureEmulator;
  let agent: https.Agent;
  const CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

  before(async () => {
    emulator = await startAzureEmulator({ deviceCodeIntervalSeconds: 1 });
    agent = new https.Agent({ ca: emulator.certificate.cert });
  });
  after(async () => {
    agent.destroy();
    await emulator.close();
  });

  function send(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location?: string; body: Json }> {
    const text = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, emulator.url),
        {
          method,
          agent,
          headers: text
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(text),
              }
            : {},
        },
        (res) => {
          let raw = '';
          res.on('data', (c: Buffer) => (raw += c.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(res.headers.location ? { location: res.headers.location } : {}),
              body: raw ? (JSON.parse(raw) as Json) : {},
            }),
          );
        },
      );
      req.on('error', reject);
      if (text) req.write(text);
      req.end();
    });
  }

  const tenant = () => emulator.tenantId;
  const scope = () => `${emulator.url}/.default openid profile offline_access`;
  const token = (form: Record<string, string>) =>
    send('POST', `/${tenant()}/oauth2/v2.0/token`, { client_id: CLIENT, scope: scope(), ...form });

  it('device code: pending until the code is entered at the verification page, then tokens once', async () => {
    const started = await send('POST', `/${tenant()}/oauth2/v2.0/devicecode`, {
      client_id: CLIENT,
      scope: scope(),
    });
    assert.equal(started.status, 200);
    const {
      device_code: deviceCode,
      user_code: userCode,
      interval,
    } = started.body as {
      device_code: string;
      user_code: string;
      interval: number;
    };
    assert.equal(interval, 1);
    assert.equal(started.body.verification_uri, `${emulator.url}/devicelogin`);

    const pending = await token({ grant_type: 'device_code', device_code: deviceCode });
    assert.equal(pending.status, 400);
    assert.equal(pending.body.error, 'authorization_pending');

    const wrong = await send('POST', '/devicelogin', { otc: 'NOTACODE1' });
    assert.equal(wrong.status, 400);
    assert.equal((await send('POST', '/devicelogin', { otc: userCode })).status, 200);

    const granted = await token({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: deviceCode,
      client_info: '1',
    });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    for (const field of ['access_token', 'refresh_token', 'id_token', 'client_info']) {
      assert.equal(typeof granted.body[field], 'string', field);
    }
    const again = await token({ grant_type: 'device_code', device_code: deviceCode });
    assert.equal(again.body.error, 'bad_verification_code', 'a device code is redeemed once');

    // The access token is the person's, and ARM takes it; the refresh token gives new ones.
    const claims = JSON.parse(
      Buffer.from(String(granted.body.access_token).split('.')[1]!, 'base64url').toString(),
    ) as Json;
    assert.equal(claims.upn, emulator.users.user.userName);
    assert.equal(claims.aud, emulator.url);
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: String(granted.body.refresh_token),
    });
    assert.equal(refreshed.status, 200);
    const unknown = await token({ grant_type: 'refresh_token', refresh_token: 'rt-not-issued' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'invalid_grant');
  });

  /** An authorize request as MSAL Node makes it, and the code from the loopback redirect. */
  async function authorize(redirect: string, challenge?: string) {
    const query = new URLSearchParams({
      client_id: CLIENT,
      response_type: 'code',
      redirect_uri: redirect,
      scope: scope(),
      state: 'state-1',
      ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
    });
    return send('GET', `/${tenant()}/oauth2/v2.0/authorize?${query}`);
  }

  it('browser: the code comes back to the loopback redirect with the state; PKCE is checked; a code is redeemed once', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://localhost:41234';
    const answer = await authorize(redirect, challenge);
    assert.equal(answer.status, 302);
    const back = new URL(answer.location!);
    assert.equal(back.origin, redirect);
    assert.equal(back.searchParams.get('state'), 'state-1');
    const code = back.searchParams.get('code')!;

    const bad = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: 'not-the-verifier',
    });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error_description), /AADSTS501481/);

    const good = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    });
    assert.equal(good.status, 200, JSON.stringify(good.body));
    const reused = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    });
    assert.match(String(reused.body.error_description), /AADSTS54005/);
  });

  it('browser: a redirect that is not the public client’s loopback is refused on the page (AADSTS50011)', async () => {
    const answer = await authorize('https://attacker.example/callback');
    assert.equal(answer.status, 400);
    assert.equal(answer.location, undefined, 'never redirected there');
    assert.match(String(answer.body.error_description), /AADSTS50011/);
  });
});
