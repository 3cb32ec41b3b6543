// jupyterUrl: the local address to open, with base URL and token.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jupyterUrl } from '../../../../src/core/jupyter/jupyter-url';

describe('jupyterUrl', () => {
  it('puts the local port, base URL and token together', () => {
    assert.equal(
      jupyterUrl({ scheme: 'http', baseUrl: '/', token: 'abc123' }, 18888),
      'http://127.0.0.1:18888/?token=abc123',
    );
    assert.equal(
      jupyterUrl({ scheme: 'https', baseUrl: '/user/ada/', token: 'a+b/c' }, 1),
      'https://127.0.0.1:1/user/ada/?token=a%2Bb%2Fc',
    );
  });

  it('adds no query without a token (a Hub or a password server has its own login)', () => {
    assert.equal(jupyterUrl({ scheme: 'https', baseUrl: '/' }, 8000), 'https://127.0.0.1:8000/');
    assert.equal(
      jupyterUrl({ scheme: 'http', baseUrl: 'lab/', token: '' }, 9),
      'http://127.0.0.1:9/lab/',
    );
  });
});
