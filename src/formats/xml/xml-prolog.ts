import { SaxesParser } from 'saxes';

import { InputError } from '../../errors.js';
import { detectBom, normaliseEncoding } from '../text-decoding.js';

/** How an XML file's bytes become text. */
export interface XmlEncoding {
  readonly encoding: string;
  /** bytes of the byte order mark, skipped before decoding */
  readonly bomLength: number;
}

const DECLARED_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;

/**
 * The encoding of an XML file: the profile's `format.encoding` when it names one, else the byte
 * order mark, else the encoding of the XML declaration, else UTF-8 (the XML default).
 */
export function chooseXmlEncoding(head: Buffer, fileName: string, wanted: string | undefined): XmlEncoding {
  const bom = detectBom(head);
  if (wanted !== undefined && wanted.trim().toLowerCase() !== 'auto') {
    const encoding = normaliseEncoding(wanted);
    if (encoding === undefined) throw new InputError('E_ENCODING', `format.encoding "${wanted}" is not an encoding ferry knows; use auto, utf-8, windows-1252, iso-8859-1 or another iconv name`);
    return { encoding, bomLength: bom?.encoding === encoding ? bom.length : 0 };
  }
  if (bom !== undefined) return { encoding: bom.encoding, bomLength: bom.length };
  // UTF-16 without a byte order mark still starts with "<?" or "<" and a zero byte
  if (head[0] === 0x3c && head[1] === 0x00) return { encoding: 'utf-16le', bomLength: 0 };
  if (head[0] === 0x00 && head[1] === 0x3c) return { encoding: 'utf-16be', bomLength: 0 };
  const declared = DECLARED_ENCODING.exec(head.subarray(0, 200).toString('latin1'))?.[1];
  if (declared === undefined) return { encoding: 'utf-8', bomLength: 0 };
  const encoding = normaliseEncoding(declared);
  if (encoding === undefined) {
    throw new InputError('E_ENCODING', `${fileName} declares encoding="${declared}", which ferry cannot decode; set format.encoding to the file's real encoding`, { location: { file: fileName, line: 1 } });
  }
  return { encoding, bomLength: 0 };
}

/**
 * Looks at the prolog (what comes before the root element) and refuses a document type or entity
 * declaration there, before the parser has read any of it: a DTD can declare entities that expand
 * without bound (billion laughs) or read other files (external entities). Returns true when the
 * root element was reached, false when `text` ends inside the prolog (the parser then refuses a
 * DTD it meets).
 */
export function checkProlog(text: string, fileName: string): boolean {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) return false;
    if (text.charAt(i) !== '<') {
      const line = text.slice(0, i).split('\n').length;
      throw new InputError('E_XML_MALFORMED', `${fileName} is not XML: it starts with ${JSON.stringify(text.slice(i, i + 20))} where an element (<…>) should be; check format.type and the file`, {
        location: { file: fileName, line, column: i - text.lastIndexOf('\n', i - 1) },
      });
    }
    if (!text.startsWith('<!', i) && !text.startsWith('<?', i)) return true;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) return false;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return false;
      i = end + 3;
    } else {
      if (/^<!(DOCTYPE|ENTITY)/i.test(text.slice(i, i + 9))) {
        const line = text.slice(0, i).split('\n').length;
        throw new InputError('E_XML_DTD', `${fileName} has a document type declaration (${text.slice(i, i + 9)} …) at line ${line}; ferry refuses DTDs and entity declarations, which can expand without bound or read other files`, {
          location: { file: fileName, line },
        });
      }
      return true;
    }
  }
}

/**
 * Guesses the record path from the start of a document: the shallowest element path that occurs
 * more than once (`/Orders/Order`), else the root's first child, else the root.
 */
export function sniffRecordPath(text: string): string | undefined {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const counts = new Map<string, number>();
  const open: string[] = [];
  let firstChild: string | undefined;
  let root: string | undefined;
  const stop = new Error('stop');
  parser.on('doctype', () => {
    throw stop;
  });
  parser.on('error', () => {
    throw stop;
  });
  parser.on('opentag', (tag) => {
    const colon = tag.name.indexOf(':');
    const path = `${open[open.length - 1] ?? ''}/${colon === -1 ? tag.name : tag.name.slice(colon + 1)}`;
    open.push(path);
    if (open.length > 8 || counts.size > 1000) return;
    if (open.length === 1) root = path;
    if (open.length === 2) firstChild ??= path;
    counts.set(path, (counts.get(path) ?? 0) + 1);
  });
  parser.on('closetag', () => {
    open.pop();
  });
  try {
    parser.write(text);
  } catch {
    // a head cut in the middle, or a document that is refused later anyway: what was seen counts
  }
  let best: string | undefined;
  let bestDepth = Infinity;
  for (const [path, count] of counts) {
    const depth = path.split('/').length;
    if (count > 1 && depth > 2 && depth < bestDepth) {
      best = path;
      bestDepth = depth;
    }
  }
  return best ?? firstChild ?? root;
}
