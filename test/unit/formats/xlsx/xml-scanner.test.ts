import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { XmlScanError, XmlScanner } from '../../../../src/formats/xlsx/xml-scanner.js';

/** What a scan reports, as one list of events; text pieces are joined as a handler would. */
function scan(pieces: readonly string[]): string[] {
  const events: string[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') events.push(`text ${JSON.stringify(text)}`);
    text = '';
  };
  const scanner = new XmlScanner({
    open(name, attributes) {
      flush();
      events.push(`open ${name} r=${String(attributes.get('r'))} t=${String(attributes.get('t'))}`);
    },
    close(name) {
      flush();
      events.push(`close ${name}`);
    },
    text(piece) {
      text += piece;
    },
  });
  for (const piece of pieces) scanner.write(piece);
  scanner.end();
  flush();
  return events;
}

const DOC = '<?xml version="1.0"?>\r\n<!-- a comment with <tags> -->\n<x:ws xmlns:x="urn:x"><x:row r="1" ><x:c r=\'A1\' t="s"><x:v>1</x:v></x:c>'
  + '<x:c r="B1" t="inlineStr" note="a > b"><x:is><x:t>A &amp; B &#x263A; &#10;line\r\nend</x:t></x:is></x:c>'
  + '<x:c r="C1" t="a&quot;b"/><x:c r="D1"><x:is><x:t><![CDATA[<raw> & ]]]></x:t></x:is></x:c></x:row></x:ws><!--e-->';

describe('XmlScanner', () => {
  it('reports elements without prefixes, attributes on demand, and decoded text', () => {
    assert.deepEqual(scan([DOC]), [
      'open ws r=undefined t=undefined',
      'open row r=1 t=undefined',
      'open c r=A1 t=s', 'open v r=undefined t=undefined', 'text "1"', 'close v', 'close c',
      'open c r=B1 t=inlineStr', 'open is r=undefined t=undefined', 'open t r=undefined t=undefined', 'text "A & B ☺ \\nline\\nend"', 'close t', 'close is', 'close c',
      'open c r=C1 t=a"b', 'close c',
      'open c r=D1 t=undefined', 'open is r=undefined t=undefined', 'open t r=undefined t=undefined', 'text "<raw> & ]"', 'close t', 'close is', 'close c',
      'close row', 'close ws',
    ]);
  });

  it('reports the same whatever the chunk boundaries', () => {
    const whole = scan([DOC]);
    for (let at = 1; at < DOC.length; at++) {
      assert.deepEqual(scan([DOC.slice(0, at), DOC.slice(at)]), whole, `split at ${at}`);
    }
    assert.deepEqual(scan([...DOC]), whole, 'one character at a time');
  });

  it('refuses what is not well-formed', () => {
    for (const bad of ['<a><b></a>', '<a>', '<a></a><b/>', '<a>x &nope; y</a>', '<a>x & y</a>', '<a b=c/>', '<!DOCTYPE a><a/>', 'text<a/>', '<a>&#0;</a>', '']) {
      assert.throws(() => scan([bad]), XmlScanError, bad);
    }
  });
});
