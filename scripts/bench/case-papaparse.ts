/**
 * papaparse over the decoded stream, rows as arrays. Modes (first extra argument):
 * - `step` (default): `Papa.parse(stream, { step })`, one callback per row. Measured on 2 cores
 *   it ties with `chunk` within noise and peaks ~5 MB lower, and it is the mode behind
 *   performance-floors.md, so it is the baseline.
 * - `chunk`: the same with `chunk`, one callback per decoded 64 KiB chunk with its rows.
 * - `duplex`: `Papa.parse(Papa.NODE_STREAM_INPUT)`, the Node duplex stream, one object per row;
 *   slowest of the three.
 * Second extra argument: the decoder (`iconv-lite`, the default, or `fast`; see open-win1252.ts).
 *
 * papaparse switches to a split-based fast path for every chunk that contains no quote character,
 * which is the case for the whole reference file.
 */
import { finished } from 'node:stream/promises';
import Papa from 'papaparse';
import { openWin1252, openWin1252Into, parseDecoder, type Win1252Decoder } from './open-win1252.js';
import { runCase } from './case-runtime.js';

const BASE = { delimiter: ';', newline: '\r\n', header: false, skipEmptyLines: true } as const;

function parseWithCallbacks(
  file: string,
  mode: 'chunk' | 'step',
  decoder: Win1252Decoder,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const done = { complete: () => resolve(count), error: (error: Error) => reject(error) };
    const input = openWin1252(file, decoder);
    if (mode === 'chunk') {
      Papa.parse<string[]>(input, {
        ...BASE,
        ...done,
        chunk: (results) => {
          count += results.data.length;
        },
      });
    } else {
      Papa.parse<string[]>(input, {
        ...BASE,
        ...done,
        step: () => {
          count++;
        },
      });
    }
  });
}

async function parseWithDuplex(file: string, decoder: Win1252Decoder): Promise<number> {
  const rows = openWin1252Into(file, Papa.parse(Papa.NODE_STREAM_INPUT, BASE), decoder);
  let count = 0;
  rows.on('data', () => {
    count++;
  });
  await finished(rows);
  return count;
}

runCase(async (file, args) => {
  const mode = args[0] ?? 'step';
  const decoder = parseDecoder(args[1]);
  let rows: number;
  if (mode === 'chunk' || mode === 'step') rows = await parseWithCallbacks(file, mode, decoder);
  else if (mode === 'duplex') rows = await parseWithDuplex(file, decoder);
  else throw new Error(`unknown papaparse mode: ${mode}`);
  // header: false, so the header line arrives as the first row.
  return rows - 1;
});
