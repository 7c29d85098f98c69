/** One piece of a date pattern: literal text, or a run of one pattern letter (`yyyy`, `MM`). */
export type PatternPart = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'field'; readonly letter: string; readonly count: number };

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Reads quoted text starting at the quote at `i`: the literal and the index after it, or an error. */
function quoted(pattern: string, i: number): { text: string; next: number } | string {
  if (pattern.charAt(i + 1) === "'") return { text: "'", next: i + 2 };
  let text = '';
  let j = i + 1;
  for (;;) {
    const end = pattern.indexOf("'", j);
    if (end < 0) return "a quote (') is not closed";
    text += pattern.slice(j, end);
    if (pattern.charAt(end + 1) !== "'") return { text, next: end + 1 };
    text += "'";
    j = end + 2;
  }
}

/**
 * Splits a Unicode date pattern into literal text and letter runs, the way both date reading and
 * formatDate() read patterns: quoted text is literal (`''` is a quote), so is every non-letter;
 * adjacent literals are joined. Returns a message for an unclosed quote.
 */
export function patternParts(pattern: string): PatternPart[] | string {
  const parts: PatternPart[] = [];
  let literal = '';
  let i = 0;
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch === "'") {
      const q = quoted(pattern, i);
      if (typeof q === 'string') return q;
      literal += q.text;
      i = q.next;
      continue;
    }
    if (!isAsciiLetter(pattern.charCodeAt(i))) {
      literal += ch;
      i++;
      continue;
    }
    let count = 1;
    while (pattern.charAt(i + count) === ch) count++;
    flush();
    parts.push({ kind: 'field', letter: ch, count });
    i += count;
  }
  flush();
  return parts;
}
