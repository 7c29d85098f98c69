import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

function v4Parts(ip: string): number[] | undefined {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included), or undefined. */
function v6Groups(ip: string): number[] | undefined {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const p = v4Parts(dotted[1]);
    if (p === undefined) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = p;
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (h: string | undefined): number[] => (h === undefined || h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<number>(Math.max(0, fill)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * Whether an address is one a notification must not reach unless the profile allows it:
 * loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with cloud metadata, fe80::/10),
 * carrier-grade NAT, "this network" and unspecified addresses, IPv4 mapped into IPv6 (as
 * `::ffff:127.0.0.1` or in the hex form `::ffff:7f00:1` that URL parsing produces) and the
 * deprecated IPv4-compatible (`::7f00:1`) and NAT64 (`64:ff9b::7f00:1`) forms included.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = v4Parts(ip) ?? [];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (isIP(ip) === 6) {
    const g = v6Groups(ip);
    if (g === undefined) return true;
    const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
    const nat64 = g0 === 0x64 && g1 === 0xff9b && g4 === 0 && g5 === 0;
    if ((g0 === 0 && g1 === 0 && g4 === 0 && (g5 === 0xffff || (g5 === 0 && g6 !== 0))) || nat64) {
      if (g2 !== 0 || g3 !== 0) return false;
      return isPrivateAddress(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`);
    }
    return g.every((x, i) => x === 0 || (i === 7 && x === 1)) || (g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80 || (g0 & 0xff00) === 0xff00;
  }
  return false;
}

/** Host names that stand for this machine whatever DNS says. */
export function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * A DNS lookup for `http.request` that refuses private addresses at connect time, so a name cannot
 * be pointed inside after it was checked (DNS rebinding). Its error carries `code: 'E_PRIVATE_ADDRESS'`.
 * Literal IP hosts never reach a lookup: check those with {@link isPrivateAddress} first.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err !== null) return callback(err, '', 4);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (!allowPrivate && bad !== undefined) {
        const e = Object.assign(new Error(`${hostname} resolves to ${bad.address}, a loopback, private or link-local address; set allowPrivate: true to send there`), { code: 'E_PRIVATE_ADDRESS' });
        return callback(e, '', 4);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      return callback(null, first?.address ?? '', first?.family ?? 4);
    });
  };
}
