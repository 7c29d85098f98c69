import type { Writable } from 'node:stream';

import iconv from 'iconv-lite';

import { InputError } from '../../errors.js';
import { normaliseEncoding } from '../text-decoding.js';
import { ByteSink } from './byte-sink.js';
import type { TableWriter, TableWriterOptions, WriterValue } from './types.js';
import { Decimal } from '../../mapping/decimal.js';
import { checkRowWidth, looksLikeFormula, scalarText } from './value-text.js';

/** Characters collected before they are encoded and written: big enough to amortise, small enough to stay flat. */
const FLUSH_CHARS = 1 << 16;

const BOMS: Readonly<Record<string, Buffer>> = {
  'utf-8': Buffer.from([0xef, 0xbb, 0xbf]),
  'utf-16le': Buffer.from([0xff, 0xfe]),
  'utf-16be': Buffer.from([0xfe, 0xff]),
};

/** Every ASCII character, to find out once whether an encoding writes ASCII as ASCII. */
const ASCII = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
const NON_ASCII_RE = /[^\x00-\x7f]/;

function encoder(encoding: string): (text: string) => Buffer {
  if (encoding === 'utf-8') return (text) => Buffer.from(text, 'utf8');
  if (encoding === 'utf-16le') return (text) => Buffer.from(text, 'utf16le');
  // iconv-lite writes `?` for a character the encoding lacks (→ in windows-1252), as Excel does
  const slow = (text: string): Buffer => iconv.encode(text, encoding);
  // iconv-lite encodes single-byte code pages one character at a time in JavaScript; where the
  // encoding keeps ASCII as it is (windows-1252, the ISO-8859 family), ASCII-only text, the
  // usual result file, takes the native path with the same bytes
  if (!slow(ASCII).equals(Buffer.from(ASCII, 'latin1'))) return slow;
  return (text) => (NON_ASCII_RE.test(text) ? slow(text) : Buffer.from(text, 'latin1'));
}

function escapeRegExp(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

function checkDialect(delimiter: string, quote: string): void {
  const bad = (c: string): boolean => [...c].length !== 1 || c === '\r' || c === '\n';
  if (bad(delimiter)) throw new InputError('E_PROFILE_INVALID', `the CSV delimiter must be one character other than CR or LF, got ${JSON.stringify(delimiter)}`);
  if (bad(quote)) throw new InputError('E_PROFILE_INVALID', `the CSV quote must be one character other than CR or LF, got ${JSON.stringify(quote)}`);
  if (delimiter === quote) throw new InputError('E_PROFILE_INVALID', `the CSV delimiter and quote cannot both be ${JSON.stringify(quote)}`);
}

/**
 * Writes RFC 4180 CSV: a header of `columns`, then one line per row. A value is quoted when it
 * holds the delimiter, the quote character, CR or LF; numbers and Decimals are plain digits (never
 * exponent notation), dates ISO 8601 (`yyyy-mm-dd` at UTC midnight), booleans true/false, null and
 * undefined empty. A string that a spreadsheet would run as a formula gets a leading `'` unless
 * `neutraliseFormulas` is false; numbers, even negative ones, are never changed.
 *
 * Text is encoded in 64 Ki-character pieces (`encoding`: utf-8 by default, windows-1252,
 * iso-8859-1, utf-16le/be or any iconv-lite name), so memory stays flat whatever the row count.
 * Header names are written as given, also when they look like formulas: they come from the profile.
 */
export function createCsvWriter(out: Writable, options: TableWriterOptions): TableWriter {
  const delimiter = options.delimiter ?? ',';
  const quote = options.quote ?? '"';
  checkDialect(delimiter, quote);
  const encoding = normaliseEncoding(options.encoding ?? 'utf-8');
  if (encoding === undefined) {
    throw new InputError('E_ENCODING', `"${options.encoding ?? ''}" is not an encoding ferry can write; use utf-8, windows-1252, iso-8859-1, utf-16le or another iconv name`);
  }
  const encode = encoder(encoding);
  const eol = options.lineEnding === 'LF' ? '\n' : '\r\n';
  const neutralise = options.neutraliseFormulas ?? true;
  const width = options.columns.length;
  const needsQuotes = new RegExp(`[${escapeRegExp(delimiter)}${escapeRegExp(quote)}\\r\\n]`);
  const quotes = new RegExp(escapeRegExp(quote), 'g');
  const doubled = quote + quote;
  const sink = new ByteSink(out);

  const quoted = (text: string): string => (needsQuotes.test(text) ? quote + text.replace(quotes, doubled) + quote : text);
  const decimalMark = options.decimalSeparator ?? '.';
  const cell = (value: WriterValue): string => {
    if (typeof value !== 'string') {
      const text = scalarText(value);
      // a number's point becomes the decimal mark; quoted when that mark is the delimiter
      return decimalMark !== '.' && (typeof value === 'number' || value instanceof Decimal) ? quoted(text.replace('.', decimalMark)) : text;
    }
    if (value === '') return '';
    return quoted(neutralise && looksLikeFormula(value) ? `'${value}` : value);
  };

  let text = options.columns.map(quoted).join(delimiter) + eol;
  const bom = options.bom ?? encoding.startsWith('utf-16');
  let pending: Buffer | undefined = bom ? BOMS[encoding] : undefined;

  const flush = async (): Promise<void> => {
    const bytes = encode(text);
    text = '';
    if (pending !== undefined) {
      await sink.write(pending);
      pending = undefined;
    }
    await sink.write(bytes);
  };

  return {
    async writeRow(values) {
      checkRowWidth(values, width);
      let line = width > 0 ? cell(values[0]) : '';
      for (let i = 1; i < width; i++) line += delimiter + cell(values[i]);
      text += line + eol;
      if (text.length >= FLUSH_CHARS) await flush();
    },
    async end() {
      await flush();
      await sink.end();
    },
  };
}
