const CANDIDATES = [';', ',', '\t', '|'] as const;

/**
 * Line ending used by the text: the first line break outside quotes decides. When a stray quote
 * hides every line break, the first line break at all decides, so that one bad field does not turn
 * a CR file into a single line.
 */
export function sniffLineEnding(text: string, quote: string): 'CRLF' | 'LF' | 'CR' {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== '' && c === quote) inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) return lineEndingAt(text, i);
  }
  const first = text.search(/[\r\n]/);
  return first === -1 ? 'LF' : lineEndingAt(text, first);
}

function lineEndingAt(text: string, i: number): 'CRLF' | 'LF' | 'CR' {
  if (text[i] === '\n') return 'LF';
  return text[i + 1] === '\n' ? 'CRLF' : 'CR';
}

/**
 * Guesses the delimiter from the first lines: the candidate that appears the same number of times
 * (outside quotes) on most lines, preferring more occurrences. ERP exports are usually `;` in
 * Europe, `,` elsewhere, TAB from Excel "Unicode Text".
 */
export function sniffDelimiter(text: string, quote: string, lineEnd: '\n' | '\r'): string {
  const lines = splitLogicalLines(text, quote, lineEnd).slice(0, 50);
  // the last line of a sample is usually cut off mid-record
  if (lines.length > 2) lines.pop();
  let best: string = CANDIDATES[1];
  let bestScore = 0;
  for (const candidate of CANDIDATES) {
    const counts = lines.filter((l) => l.length > 0).map((l) => countOutsideQuotes(l, candidate, quote));
    if (counts.length === 0) continue;
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function splitLogicalLines(text: string, quote: string, lineEnd: '\n' | '\r'): string[] {
  const lines: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== '' && c === quote) inQuotes = !inQuotes;
    else if (!inQuotes && c === lineEnd) {
      lines.push(text.slice(start, i).replace(/\r$/, ''));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function countOutsideQuotes(line: string, ch: string, quote: string): number {
  let count = 0;
  let inQuotes = false;
  for (const c of line) {
    if (quote !== '' && c === quote) inQuotes = !inQuotes;
    else if (!inQuotes && c === ch) count++;
  }
  return count;
}
