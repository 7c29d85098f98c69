import type { Writable } from 'node:stream';

import { ByteSink } from './byte-sink.js';
import type { TableWriter, TableWriterOptions, WriterValue } from './types.js';
import { checkRowWidth, scalarText, uniqueNames } from './value-text.js';
import { escapeXml, xmlName } from './xml-text.js';

const FLUSH_CHARS = 1 << 16;

function text(value: WriterValue): string {
  return typeof value === 'string' ? escapeXml(value) : scalarText(value);
}

/**
 * Writes UTF-8 XML, streamed:
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <records>
 *   <record>
 *     <column>value</column>
 *   </record>
 * </records>
 * ```
 *
 * Element names come from `rootElement`, `recordElement` and the columns, made valid XML names
 * (other characters become `_`, a leading digit gets a `_` in front, repeats get `_2`). Every
 * column is written in every record; an empty value is an empty element. Text is escaped, CR is
 * kept as `&#13;`, and characters XML 1.0 cannot carry (control characters such as NUL, lone
 * surrogates) are replaced by U+FFFD. Values are written as in CSV (plain number digits, ISO
 * dates) and never changed for formulas: XML is read by programs, not run by spreadsheets.
 */
export function createXmlWriter(out: Writable, options: TableWriterOptions): TableWriter {
  const root = xmlName(options.rootElement ?? 'records');
  const record = xmlName(options.recordElement ?? 'record');
  const names = uniqueNames(options.columns.map(xmlName));
  const width = names.length;
  const open = names.map((n) => `    <${n}>`);
  const close = names.map((n) => `</${n}>\n`);
  const empty = names.map((n) => `    <${n}/>\n`);
  const sink = new ByteSink(out);
  let buffer = `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n`;

  const flush = async (): Promise<void> => {
    const bytes = Buffer.from(buffer, 'utf8');
    buffer = '';
    await sink.write(bytes);
  };

  return {
    async writeRow(values) {
      checkRowWidth(values, width);
      let item = `  <${record}>\n`;
      for (let i = 0; i < width; i++) {
        const t = text(values[i]);
        item += t === '' ? empty[i] ?? '' : (open[i] ?? '') + t + (close[i] ?? '');
      }
      buffer += `${item}  </${record}>\n`;
      if (buffer.length >= FLUSH_CHARS) await flush();
    },
    async end() {
      buffer += `</${root}>\n`;
      await flush();
      await sink.end();
    },
  };
}
