// The demo's switch: only the variable npm run demo sets turns it on, and only over its emulator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoFromEnv } from '../../../src/core/demo-mode';

const EMULATOR = 'https://127.0.0.1:43210';

describe('demoFromEnv', () => {
  it('is off without the variable, or with it empty', () => {
    assert.equal(demoFromEnv({}), undefined);
    assert.equal(demoFromEnv({ DSVM_POOL_DEMO_EMULATOR: ' ' }), undefined);
    assert.equal(demoFromEnv({ DSVM_POOL_ARM_ENDPOINT: EMULATOR }), undefined);
  });

  it('gives the emulator address when Azure calls go to it', () => {
    assert.deepEqual(
      demoFromEnv({
        DSVM_POOL_DEMO_EMULATOR: `${EMULATOR}/`,
        DSVM_POOL_ARM_ENDPOINT: EMULATOR,
      }),
      { emulatorUrl: EMULATOR },
    );
  });

  it('refuses the label over real Azure: the ARM endpoint must be the emulator', () => {
    assert.throws(
      () =>
        demoFromEnv({
          DSVM_POOL_DEMO_EMULATOR: EMULATOR,
          DSVM_POOL_ARM_ENDPOINT: 'https://management.azure.com',
        }),
      /DSVM_POOL_ARM_ENDPOINT is "https:\/\/management.azure.com": the demo must talk to its emulator only/,
    );
    assert.throws(
      () => demoFromEnv({ DSVM_POOL_DEMO_EMULATOR: EMULATOR }),
      /DSVM_POOL_ARM_ENDPOINT is not set/,
    );
  });

  it('refuses an address that is not https on this computer, saying what it should be', () => {
    for (const value of ['http://127.0.0.1:4000', 'https://emulator.example.com', 'not a url']) {
      assert.throws(
        () => demoFromEnv({ DSVM_POOL_DEMO_EMULATOR: value, DSVM_POOL_ARM_ENDPOINT: value }),
        (err: Error) =>
          err.message.includes("must be the Azure emulator's https address on this computer") &&
          err.message.includes(`not "${value}"`),
      );
    }
  });
});
