import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LineSlab } from '../../../src/util/line-slab.js';

const text = (buffers: readonly Buffer[]): string => Buffer.concat(buffers).toString('utf8');

describe('LineSlab', () => {
  it('collects lines as UTF-8 with a line feed each, whatever their characters', () => {
    const slab = new LineSlab(64);
    const lines = ['{"a":"Vögele Bau"}', 'Preis 12 €', '', 'emoji 😀 and ﬀ', 'x'.repeat(500)];
    for (const l of lines) slab.line(l);
    assert.equal(slab.length, Buffer.byteLength(lines.join('\n') + '\n'));
    assert.equal(text(slab.take()), lines.join('\n') + '\n');
    assert.equal(slab.length, 0);
    assert.deepEqual(slab.take(), []);
  });

  it('never changes bytes it handed out while it collects more', () => {
    const slab = new LineSlab(128);
    const handed: Buffer[][] = [];
    const expected: string[] = [];
    for (let round = 0; round < 50; round++) {
      let chunk = '';
      for (let i = 0; i <= round % 7; i++) {
        const l = `${round}:${i}:${'ä'.repeat((round * 13 + i) % 40)}`;
        slab.line(l);
        chunk += `${l}\n`;
      }
      handed.push(slab.take());
      expected.push(chunk);
    }
    assert.deepEqual(handed.map(text), expected);
  });
});
