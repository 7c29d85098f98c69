/**
 * Bad files through the whole pipeline (`ferry run` on a local folder), test plan §6.2: each file
 * ends in one terminal state with a stable code naming the file and the line, every row of a
 * partly bad file is in its result file, the source goes to failed/ or processed/, nothing bad is
 * sent, and no staging or spool file is left (the shared I1–I6 oracle).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { runCli } from '../support/run-cli.js';
import { deflatedRepeat, rowXml, workbookBytes } from '../support/xlsx-files.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunBatch { id: string; file: string; status: string; rows: { total: number; delivered: number; rejected: number }; resultFile: string | null; error: string | null }
interface RunJson { status: string; batches: RunBatch[] }

const HEADER = 'Order No;Customer;SKU;Qty;Price;Date;Status\r\n';
const row = (id: string): string => `${id};Müller;SKU-1;1;1,00;01.03.2026;O\r\n`;
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** The order ids the target accepted. */
function acceptedIds(target: HttpTarget): string[] {
  return target.acceptedRecords().map((r) => String((r as { orderId?: unknown }).orderId)).sort();
}

function byFile(run: RunJson): Map<string, RunBatch> {
  return new Map(run.batches.map((b) => [b.file, b]));
}

describe('bad CSV files through ferry run (B02, B05, B07, B08, B10, B18)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let run: RunJson;
  let code: number;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url));
    const files: Record<string, Buffer> = {
      // B05: the quote opened in row 3 never closes
      'quote.csv': latin1(`${HEADER}${row('Q-1')}Q-2;"Müller;SKU-1;1;1,00;01.03.2026;O\r\n${row('Q-3')}`),
      // B07: a ragged row between good ones
      'ragged.csv': latin1(`${HEADER}${row('R-1')}R-2;Müller;SKU-1\r\n${row('R-3')}`),
      // B02: Excel's "Unicode Text" for a windows-1252 profile
      'utf16.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}${row('U-1')}`.replaceAll(';', '\t'), 'utf16le')]),
      // B18: a workbook saved as .csv
      'zip.csv': workbookBytes({ sheets: [{ name: 'S', rows: rowXml(1, ['Order No']) + rowXml(2, ['Z-1']) }] }),
      // B10: the export switched to commas; the profile says ";"
      'comma.csv': latin1(`${HEADER}${row('C-1')}`.replaceAll(';', ',').replace('1,00', '"1,00"')),
      // B08: one 10 MB line without a newline in the middle of good rows
      'long.csv': latin1(`${HEADER}${row('L-1')}L-2;${'x'.repeat(10 * 1024 * 1024)}\r\n${row('L-3')}`),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(ws.inbox, name), bytes);
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env, timeoutMs: 60_000 });
    code = r.code;
    run = JSON.parse(r.stdout) as RunJson;
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('fails each unreadable file with a stable code naming the file, line and column', () => {
    assert.equal(code, 1, 'a run with failed files exits 1');
    const b = byFile(run);
    const failed = (file: string): string => {
      assert.equal(b.get(file)?.status, 'failed', file);
      assert.equal(b.get(file)?.rows.delivered, 0, file);
      return b.get(file)?.error ?? '';
    };
    assert.match(failed('quote.csv'), /^E_CSV_QUOTE: the quote opened at line 3, column 5 is never closed/);
    assert.match(failed('utf16.csv'), /^E_ENCODING: utf16\.csv starts with a utf-16le byte order mark, but the profile says windows-1252/);
    assert.match(failed('zip.csv'), /^E_FORMAT_MISMATCH: zip\.csv is a ZIP archive/);
    // ferry's name for the research's E_HEADER_MISMATCH: the missing columns and the ones found
    assert.match(failed('comma.csv'), /^E_CSV_HEADER: comma\.csv has no column "Order No".*the file's columns are: Order No,Customer/);
  });

  it('sends only the rows of files that could be read, and the good rows around bad ones', () => {
    // no row of a failed file is sent, not even the good rows before an unclosed quote
    assert.deepEqual(acceptedIds(target), ['L-1', 'L-3', 'R-1', 'R-3']);
  });

  it('lists every row of a partly bad file in its result file, the bad one with its code', () => {
    for (const [file, bad, code] of [['ragged.csv', 'R-2', 'E_CSV_COLUMNS'], ['long.csv', 'L-2', 'E_CSV_RECORD_TOO_LARGE']] as const) {
      const batch = byFile(run).get(file);
      assert.equal(batch?.status, 'partial', file);
      assert.deepEqual(batch?.rows, { ...batch?.rows, total: 3, delivered: 2, rejected: 1 });
      const lines = readFileSync(batch?.resultFile ?? '', 'latin1').trim().split('\r\n');
      assert.equal(lines.length, 4, `${file}: a header and one line per row`);
      assert.match(lines[2] ?? '', new RegExp(`^3;rejected;.*\\[${code}\\]`), `${file}: ${bad}`);
    }
  });

  it('moves every source to failed/ or processed/ and leaves the ledger and data dir clean (I1–I6)', () => {
    assert.deepEqual(ws.files(ws.inbox), [
      'failed/comma.csv', 'failed/quote.csv', 'failed/utf16.csv', 'failed/zip.csv', 'processed/long.csv', 'processed/ragged.csv',
    ]);
    const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.inbox, ws.results, ws.data], dataDir: ws.data });
    assert.deepEqual(summary.byStatus, { failed: 4, partial: 2 });
    // the staged copy of a failed file is archived, so it can be reprocessed once the profile is fixed
    assert.equal(ws.files(join(ws.data, 'archive')).length, 6);
  });
});

describe('a file failed by bad input, after the profile is fixed', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url));
    writeFileSync(join(ws.inbox, 'comma.csv'), latin1(`${HEADER}${row('C-1')}`.replaceAll(';', ',').replace('1,00', '"1,00"')));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('is reprocessed from the archive with ferry reprocess', async () => {
    const first = JSON.parse((await runCli(['run', 'orders', '--json'], { env: ws.env })).stdout) as RunJson;
    const failed = first.batches[0];
    assert.match(failed?.error ?? '', /^E_CSV_HEADER/);
    ws.writeProfile('orders', ordersProfile(ws, target.url).replace('delimiter: ";"', 'delimiter: ","'));
    const r = await runCli(['reprocess', failed?.id ?? '', '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(acceptedIds(target), ['C-1']);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.inbox, ws.results, ws.data], dataDir: ws.data });
  });
});

describe('hostile XML and XLSX files through ferry run (B13, B16, B18, B19)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    const profile = (type: string, include: string, format: string): string => `version: 1
source: { type: local, dir: ${ws.inbox}, include: ["${include}"], stable: { minAge: 0s } }
format: ${format}
fields:
  orderId: { from: "${type === 'xml' ? 'id' : 'Order No'}", required: true }
key: [orderId]
target: { type: http, url: ${target.url}/v1/orders, batchSize: 10, retry: { attempts: 2, baseDelay: 20ms } }
results: { to: { dir: ${ws.results} }, name: "{name}.result.csv" }
`;
    ws.writeProfile('xml', profile('xml', '*.xml', '{ type: xml, record: /orders/order }'));
    ws.writeProfile('xlsx', profile('xlsx', '*.xlsx', '{ type: xlsx }'));
    const laughs = [
      '<?xml version="1.0"?>', '<!DOCTYPE lolz [', ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>', '<orders><order><id>&lol9;</id></order></orders>',
    ].join('\n');
    writeFileSync(join(ws.inbox, 'laughs.xml'), laughs);
    writeFileSync(join(ws.inbox, 'good.xml'), '<orders><order><id>X-1</id></order><order><id>X-2 &amp; 3</id></order></orders>');
    const sheet = rowXml(1, ['Order No']) + rowXml(2, ['W-1']);
    const good = workbookBytes({ sheets: [{ name: 'S', rows: sheet }] });
    const bomb = await deflatedRepeat('xl/worksheets/sheet2.xml', '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>', ' ', 210 * 1024 * 1024, '</sheetData></worksheet>');
    writeFileSync(join(ws.inbox, 'good.xlsx'), good);
    writeFileSync(join(ws.inbox, 'bomb.xlsx'), workbookBytes({ sheets: [{ name: 'S', rows: sheet }], extra: [bomb] }));
    writeFileSync(join(ws.inbox, 'cut.xlsx'), good.subarray(0, Math.floor(good.length / 2)));
    writeFileSync(join(ws.inbox, 'page.xlsx'), '<html><body><table><tr><td>Order No</td></tr></table></body></html>');
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('refuses a billion-laughs document at its DOCTYPE and reads the good file', async () => {
    const r = await runCli(['run', 'xml', '--json'], { env: ws.env });
    const b = byFile(JSON.parse(r.stdout) as RunJson);
    assert.match(b.get('laughs.xml')?.error ?? '', /^E_XML_DTD: laughs\.xml has a document type declaration/);
    assert.equal(b.get('good.xml')?.status, 'completed');
    assert.ok(existsSync(join(ws.inbox, 'failed', 'laughs.xml')));
  });

  it('refuses a zip bomb, a truncated workbook and HTML named .xlsx, and reads the good workbook', async () => {
    const r = await runCli(['run', 'xlsx', '--json'], { env: ws.env, timeoutMs: 60_000 });
    const b = byFile(JSON.parse(r.stdout) as RunJson);
    assert.match(b.get('bomb.xlsx')?.error ?? '', /^E_ARCHIVE_LIMIT: .*would inflate/);
    assert.match(b.get('cut.xlsx')?.error ?? '', /^E_(XLSX_CORRUPT|FORMAT_MISMATCH): cut\.xlsx/);
    assert.match(b.get('page.xlsx')?.error ?? '', /^E_FORMAT_MISMATCH: page\.xlsx/);
    assert.equal(b.get('good.xlsx')?.status, 'completed');
  });

  it('leaves one terminal state per file, only good records sent, nothing in staging (I1–I6)', () => {
    assert.deepEqual(acceptedIds(target), ['W-1', 'X-1', 'X-2 & 3']);
    const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.inbox, ws.results, ws.data], dataDir: ws.data });
    assert.deepEqual(summary.byStatus, { completed: 2, failed: 4 });
    assert.deepEqual(ws.files(join(ws.inbox, 'failed')), ['bomb.xlsx', 'cut.xlsx', 'laughs.xml', 'page.xlsx']);
  });
});
