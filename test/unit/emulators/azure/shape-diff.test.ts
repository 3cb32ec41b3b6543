// The shape comparison of the conformance test: keys and JSON types, not values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeDiff } from '../../../emulators/azure/shape-diff';

describe('shapeDiff', () => {
  it('accepts equal shapes with other values and extra keys', () => {
    assert.deepEqual(
      shapeDiff(
        { a: 1, b: { c: 'x' }, l: [{ d: true }] },
        { a: 2, b: { c: 'y', e: 1 }, l: [{ d: false }, {}] },
      ),
      [],
    );
  });

  it('reports missing keys and type changes with their paths', () => {
    assert.deepEqual(shapeDiff({ a: { b: 1, c: [1] } }, { a: { b: '1' } }), [
      { path: 'a.b', problem: 'expected number, got string' },
      { path: 'a.c', problem: 'missing' },
    ]);
    assert.deepEqual(shapeDiff([{ x: 1 }, { y: 2 }], [{ x: 1 }]), [
      { path: '(root)', problem: 'expected at least 2 items, got 1' },
    ]);
    assert.deepEqual(shapeDiff({ l: [{ x: 1 }] }, { l: [{}] }), [
      { path: 'l[0].x', problem: 'missing' },
    ]);
  });

  it('treats null in the example as "any", and tags as a dictionary', () => {
    assert.deepEqual(shapeDiff({ a: null, b: { tags: { key1: 'v' } } }, { b: { tags: {} } }), []);
    assert.deepEqual(shapeDiff({ tags: { k: 'v' } }, { tags: 'x' }), [
      { path: 'tags', problem: 'expected object, got string' },
    ]);
  });
});
