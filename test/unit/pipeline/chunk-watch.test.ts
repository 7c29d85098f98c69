import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ChunkWatch } from '../../../src/pipeline/chunk-watch.js';

describe('ChunkWatch', () => {
  it('answers at once for a chunk committed before the reader asks', async () => {
    const watch = new ChunkWatch();
    watch.saved(0);
    assert.equal(await watch.until(0), true);
  });

  it('wakes the reader when the chunk it waits for is committed, not before', async () => {
    const watch = new ChunkWatch();
    let answer: boolean | undefined;
    const waiting = watch.until(2).then((a) => (answer = a));
    watch.saved(0);
    watch.saved(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answer, undefined, 'chunks 0 and 1 do not wake a reader of chunk 2');
    watch.saved(2);
    await waiting;
    assert.equal(answer, true);
  });

  it('tells a waiting reader that delivery ended without its chunk, and answers later readers at once', async () => {
    const watch = new ChunkWatch();
    const waiting = watch.until(1);
    watch.saved(0);
    watch.end();
    assert.equal(await waiting, false);
    assert.equal(await watch.until(0), true, 'a chunk committed before the end still counts');
    assert.equal(await watch.until(5), false);
  });
});
