const CHAR_REF = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/;

/** Text with its entity and character references replaced; undefined for one XML does not define. */
export function decodeEntities(raw: string): string | undefined {
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi === -1) return undefined;
    const char = entity(raw.slice(amp + 1, semi));
    if (char === undefined) return undefined;
    out += raw.slice(from, amp) + char;
    from = semi + 1;
  }
  return out + raw.slice(from);
}

function entity(name: string): string | undefined {
  switch (name) {
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default: {
      const ref = CHAR_REF.exec(name);
      if (ref === null) return undefined;
      const code = ref[1] === undefined ? Number.parseInt(ref[2] ?? '', 10) : Number.parseInt(ref[1], 16);
      const valid = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
      return valid ? String.fromCodePoint(code) : undefined;
    }
  }
}
