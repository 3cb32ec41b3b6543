// parseServerList: the JSON lines of `jupyter server|notebook list --json`, noise and gaps included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeBaseUrl, parseServerList } from '../../../../src/core/jupyter/server-list';

const notebook6 = {
  base_url: '/',
  hostname: '127.0.0.1',
  notebook_dir: '/home/ada/notebooks',
  password: false,
  pid: 4242,
  port: 8888,
  secure: false,
  sock: '',
  token: 'c02cce19428bbba9cd77fda6979106af908239a8b7dd6981',
  url: 'http://127.0.0.1:8888/',
};
const server2 = {
  base_url: '/lab/',
  hostname: 'localhost',
  password: false,
  pid: 5151,
  port: 8890,
  root_dir: '/home/ada',
  secure: true,
  sock: '',
  token: 'abc',
  url: 'https://localhost:8890/lab/',
  version: '2.14.0',
};

describe('parseServerList', () => {
  it('reads one server per line from both list commands', () => {
    const output = `${JSON.stringify(server2)}\n${JSON.stringify(notebook6)}\n`;
    assert.deepEqual(parseServerList(output), [
      {
        hostname: 'localhost',
        port: 8890,
        secure: true,
        token: 'abc',
        baseUrl: '/lab/',
        rootDir: '/home/ada',
        pid: 5151,
        password: false,
      },
      {
        hostname: '127.0.0.1',
        port: 8888,
        secure: false,
        token: notebook6.token,
        baseUrl: '/',
        rootDir: '/home/ada/notebooks',
        pid: 4242,
        password: false,
      },
    ]);
  });

  it('skips garbage lines: profile noise, warnings, markers, broken and non-object JSON', () => {
    const output = [
      'Welcome to Ubuntu 22.04 LTS',
      '@@dsvm-pool:jupyter',
      '[W 10:00:00 NotebookApp] some warning {with braces}',
      '{"port": 8888, "token": "x"',
      '42',
      '"a string"',
      'null',
      '{}',
      `   ${JSON.stringify(notebook6)}\r`,
      '',
    ].join('\n');
    const entries = parseServerList(output);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.port, 8888);
    assert.equal(entries[0]!.pid, 4242);
  });

  it('fills missing fields from the url, or with safe defaults', () => {
    const [fromUrl, bare] = parseServerList(
      [
        JSON.stringify({ url: 'https://[::1]:9999/base', token: 't' }),
        JSON.stringify({ port: '7777' }),
      ].join('\n'),
    );
    assert.deepEqual(fromUrl, {
      hostname: '::1',
      port: 9999,
      secure: true,
      token: 't',
      baseUrl: '/base/',
      password: false,
    });
    assert.deepEqual(bare, {
      hostname: '',
      port: 7777,
      secure: false,
      token: '',
      baseUrl: '/',
      password: false,
    });
  });

  it('skips entries without a usable TCP port, and ignores a bad pid', () => {
    const output = [
      JSON.stringify({ sock: '/run/user/1000/jupyter.sock', port: 0, token: 't' }),
      JSON.stringify({ port: 70000 }),
      JSON.stringify({ port: 8.5 }),
      JSON.stringify({ url: 'not a url' }),
      JSON.stringify({ port: 8888, pid: 'twelve' }),
      JSON.stringify({ port: 8889, pid: 1 }),
    ].join('\n');
    const entries = parseServerList(output);
    assert.deepEqual(
      entries.map((e) => [e.port, e.pid]),
      [
        [8888, undefined],
        [8889, undefined],
      ],
    );
  });

  it('reads a JSON array per line (`--jsonlist`) and a password flag', () => {
    const entries = parseServerList(
      JSON.stringify([
        { ...notebook6, token: '', password: true },
        { ...server2, port: 8891 },
      ]),
    );
    assert.deepEqual(
      entries.map((e) => [e.port, e.token, e.password]),
      [
        [8888, '', true],
        [8891, 'abc', false],
      ],
    );
  });
});

describe('normalizeBaseUrl', () => {
  it('always starts and ends with a slash', () => {
    assert.equal(normalizeBaseUrl(''), '/');
    assert.equal(normalizeBaseUrl('/'), '/');
    assert.equal(normalizeBaseUrl('lab'), '/lab/');
    assert.equal(normalizeBaseUrl('/user/ada'), '/user/ada/');
    assert.equal(normalizeBaseUrl(' /x/ '), '/x/');
  });
});
