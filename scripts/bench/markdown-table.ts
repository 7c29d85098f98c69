/**
 * Plain-text formatting shared by the benchmark reports. Sizes use decimal units (1 MB =
 * 1,000,000 bytes) everywhere, so MB/s and peak RSS read the same way.
 */

/** Renders a GitHub-flavoured Markdown table; columns listed in `rightAligned` are numeric. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const rule = headers.map((_, index) => (rightAligned.includes(index) ? '---:' : '---'));
  return [headers, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes → `93.4 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Milliseconds → `1.23 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Rows per second → `532 k`. */
export function formatRate(perSecond: number): string {
  return perSecond >= 10_000 ? `${formatCount(perSecond / 1000)} k` : formatCount(perSecond);
}
