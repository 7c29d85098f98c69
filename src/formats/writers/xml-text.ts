/**
 * Characters that XML 1.0 does not allow (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF;
 * lone surrogates), the markup characters, and CR, which parsers would turn into LF.
 */
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;
const ESCAPE = /[\ud800-\udbff][\udc00-\udfff]|[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

function replacement(match: string): string {
  switch (match) {
    case '&': return '&amp;';
    case '<': return '&lt;';
    case '>': return '&gt;';
    case '"': return '&quot;';
    case "'": return '&apos;';
    case '\r': return '&#13;';
    default:
      // a surrogate pair is a valid character; anything else here cannot appear in XML 1.0 at all
      return match.length === 2 ? match : '\uFFFD';
  }
}

/**
 * Text safe inside an XML element or attribute: `& < > " '` escaped, CR kept as `&#13;`, and
 * characters XML 1.0 forbids (control characters such as NUL or form feed, lone surrogates)
 * replaced by U+FFFD, since no escape can carry them.
 */
export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE, replacement) : text;
}

const NAME_START = /^[\p{L}_]/u;
const NOT_NAME_CHAR = /[^\p{L}\p{Nd}\p{Mn}\p{Mc}_.-]/gu;

/**
 * A valid XML element name made from `name`: characters other than letters, digits, `_`, `-` and
 * `.` (spaces, `:`, `/`…) become `_`, and a name that does not start with a letter or `_` gets a
 * leading `_` ("1st price" → "_1st_price", "" → "_").
 */
export function xmlName(name: string): string {
  const cleaned = name.replace(NOT_NAME_CHAR, '_');
  return NAME_START.test(cleaned) ? cleaned : `_${cleaned}`;
}
