// Issue 11 point 3 / research §3.5: result and export name templates fed with hostile values
// ({param.x}, source file names with .., separators, NUL, CR/LF, very long names) always give
// one file name inside the destination folder that the file system accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { after, describe, it } from 'node:test';

import { expandNameTemplate, safeFileName } from '../../../src/pipeline/result-destination.js';

const HOSTILE = [
  '../../etc/x', '..', '.', '...', '/etc/passwd', '..\\..\\windows\\x', 'a\u0000b', 'a\r\nb', 'x/../../y', './.hidden', '%2e%2e%2fx',
  'tab\there', '\u007f', '', ' ', '€'.repeat(300), '😀'.repeat(150), 'a'.repeat(400), `${'é'.repeat(130)}.csv`,
];
const TEMPLATES = ['{param.x}', '{param.x}.csv', '{stem}.result.csv', '{name}', '{ext}', 'out/{param.x}', '../{stem}-{param.x}.{ext}', '{profile}-{date:yyyyMMdd}-{param.x}.csv'];

describe('name templates with hostile values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-names-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives one file name inside the folder, with no separator or control character, that can be written', () => {
    for (const value of HOSTILE) {
      for (const template of TEMPLATES) {
        const name = expandNameTemplate(template, { fileName: `${value}.csv`, profile: 'orders', batch: 'b_01', at: new Date(2026, 0, 2), params: { x: value } });
        const what = `${template} with ${JSON.stringify(value.slice(0, 20))}: ${JSON.stringify(name.slice(0, 40))}`;
        assert.doesNotMatch(name, /[/\\\u0000-\u001f\u007f]/, what);
        assert.ok(name !== '' && name !== '.' && name !== '..' && !name.startsWith('.'), what);
        assert.ok(Buffer.byteLength(name) <= 200, `${what} is ${Buffer.byteLength(name)} bytes`);
        assert.ok(resolve(dir, name).startsWith(dir + sep), what);
        assert.ok(!/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), `${what}: no half of a surrogate pair`);
        // the prefix a result copy gets in the data folder must fit too
        writeFileSync(join(dir, `b_0123456789abcdef0123456789-${name}`), 'x');
      }
    }
    assert.ok(readdirSync(dir).length > 0);
  });

  it('keeps the extension when it shortens a long name', () => {
    assert.match(safeFileName(`${'€'.repeat(300)}.result.csv`), /^€+\.csv$/);
    assert.equal(Buffer.byteLength(safeFileName(`${'€'.repeat(300)}.result.csv`)) <= 200, true);
    assert.equal(safeFileName('orders.csv'), 'orders.csv');
  });
});
