// The remote scripts: quoting that survives the login shell, POSIX syntax, markers, safe binds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  parseMarkers,
  remoteScripts,
  shCommand,
  shQuote,
} from '../../../../src/core/jupyter/remote-scripts';

const run = promisify(execFile);

/** What sshd does with an exec command: the login shell (here bash) runs it with -c. */
async function asSshdWould(command: string): Promise<string> {
  return (await run('/bin/bash', ['-c', command])).stdout;
}

describe('shQuote / shCommand', () => {
  it('passes any value through the login shell and sh unchanged', async () => {
    const values = [
      '',
      'plain',
      "it's",
      "''",
      'a b\tc',
      '$HOME `id` $(id) "quoted" \\ backslash',
      '; rm -rf / #',
      '*?[a]',
      'ünïcödé',
    ];
    for (const value of values) {
      const out = await asSshdWould(shCommand([`printf "%s" ${shQuote(value)}`]));
      assert.equal(out, value);
    }
  });

  it('joins lines into one, also after a background job', async () => {
    const out = await asSshdWould(
      shCommand(['a=1', 'true &', 'wait', 'if [ "$a" = 1 ]; then echo one; fi']),
    );
    assert.equal(out, 'one\n');
    assert.ok(!shCommand(['x', 'y']).includes('\n'), 'no newline: csh-family login shells');
  });
});

describe('remoteScripts', () => {
  const all = {
    list: remoteScripts.list(),
    saveToken: remoteScripts.saveToken(),
    start: remoteScripts.start(),
    poll: remoteScripts.poll(1234, "/home/o'brien/.local/share/jupyter/runtime"),
    pollWithoutRuntime: remoteScripts.poll(1234, undefined),
    tail: remoteScripts.tail('/home/ada/.local/state/dsvm-pool/jupyter.log'),
    kill: remoteScripts.kill(1234),
    addresses: remoteScripts.addresses(),
  };

  it('are valid POSIX sh (dash parses each without running it)', async () => {
    for (const [name, command] of Object.entries(all)) {
      assert.ok(command.startsWith('/bin/sh -c '), name);
      const parsed = await run('/bin/bash', [
        '-c',
        command.replace('/bin/sh -c ', '/bin/sh -n -c '),
      ]);
      assert.equal(parsed.stderr, '', `${name}: ${parsed.stderr}`);
    }
  });

  it('bind a started server to 127.0.0.1 only and put no token on its command line', () => {
    assert.match(all.start, /--ip=127\.0\.0\.1 /);
    assert.doesNotMatch(all.start, /0\.0\.0\.0|--ip=\*|--[\w.-]*token/i);
    assert.match(all.start, /--no-browser/);
    assert.match(all.start, /PATH="\$HOME\/\.local\/bin:\$PATH/);
    assert.doesNotMatch(all.start, /shutdown_no_activity_timeout|cull/);
  });

  it('refuse a pid that is not one', () => {
    for (const pid of [0, 1, -5, 1.5, Number.NaN]) {
      assert.throws(() => remoteScripts.poll(pid, undefined));
      assert.throws(() => remoteScripts.kill(pid));
    }
  });
});

describe('parseMarkers', () => {
  it('reads our marked lines among any other output, with CRLF from a pty', () => {
    const marks = parseMarkers(
      'motd line\n@@dsvm-pool:pid=123\r\n@@dsvm-pool:ready\r\nnoise @@dsvm-pool:fake=1\n' +
        '@@dsvm-pool:dir=/home/a b/notebooks\n@@dsvm-pool:runtime=\n@@dsvm-pool:pid=456',
    );
    assert.deepEqual(Object.fromEntries(marks), {
      pid: '456',
      ready: '',
      dir: '/home/a b/notebooks',
      runtime: '',
    });
  });
});
