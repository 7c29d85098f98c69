import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LineFeed } from '../../../src/pipeline/line-feed.js';

const piece = (text: string): Buffer => Buffer.from(text);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LineFeed', () => {
  it('hands every piece to the reader in order, and ends after end()', async () => {
    const feed = new LineFeed(1024);
    const read = (async () => {
      const got: string[] = [];
      for await (const b of feed) got.push(b.toString());
      return got;
    })();
    for (let i = 0; i < 100; i++) await feed.push([piece(`a${i}`), piece(`b${i}`)]);
    feed.end();
    const got = await read;
    assert.equal(got.length, 200);
    assert.deepEqual(got.slice(0, 4), ['a0', 'b0', 'a1', 'b1']);
    assert.equal(got.at(-1), 'b99');
  });

  it('holds the writer back while more than its limit waits to be read', async () => {
    const feed = new LineFeed(10);
    let pushed = false;
    const push = feed.push([piece('x'.repeat(25))]).then(() => {
      pushed = true;
    });
    await tick();
    assert.equal(pushed, false, 'the writer waits');
    const reader = feed[Symbol.asyncIterator]();
    assert.equal((await reader.next()).value?.length, 25);
    await push;
    assert.equal(pushed, true, 'released once read');
  });

  it('releases a waiting writer for good when the reader drops out', async () => {
    const feed = new LineFeed(10);
    const push = feed.push([piece('x'.repeat(25))]);
    await tick();
    feed.drop();
    await push;
    await feed.push([piece('more')]);
    const rest: Buffer[] = [];
    for await (const b of feed) rest.push(b);
    assert.deepEqual(rest, []);
  });
});
