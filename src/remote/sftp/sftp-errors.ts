import { FerryError, InputError, TransientError, coerceError } from '../../errors.js';
import type { HostKeyPin } from './host-key.js';

/** What the server offered in its key exchange, as ssh2's debug output tells it (comma-separated lists). */
export interface ServerOffer {
  kex?: string;
  serverHostKey?: string;
  cipher?: string;
  hmac?: string;
  compress?: string;
}

const OFFER_LINES: ReadonlyArray<readonly [string, keyof ServerOffer]> = [
  ['Handshake: (remote) KEX method: ', 'kex'],
  ['Handshake: (remote) Host key format: ', 'serverHostKey'],
  ['Handshake: (remote) C->S cipher: ', 'cipher'],
  ['Handshake: (remote) C->S MAC: ', 'hmac'],
  ['Handshake: (remote) C->S compression: ', 'compress'],
];

/**
 * Records the server's algorithm lists from an ssh2 debug line. ssh2 does not put them in its
 * handshake error, and an admin fixing `algorithms` needs exactly that list. Every other debug
 * line is dropped unread.
 */
export function noteServerOffer(offer: ServerOffer, line: string): void {
  if (!line.startsWith('Handshake: (remote) ')) return;
  for (const [prefix, key] of OFFER_LINES) {
    if (line.startsWith(prefix)) offer[key] = line.slice(prefix.length);
  }
}

/** Replaces every secret in a text; error texts of libraries are not trusted to leave them out. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

interface Ssh2ErrorShape {
  message: string;
  code: unknown;
  level: unknown;
}

function shape(err: unknown): Ssh2ErrorShape {
  const e = coerceError(err);
  const extra = e as Error & { code?: unknown; level?: unknown };
  return { message: e.message, code: extra.code, level: extra.level };
}

const CATEGORY_OF_FAILURE: ReadonlyArray<readonly [RegExp, keyof ServerOffer]> = [
  [/key exchange/, 'kex'],
  [/host key/, 'serverHostKey'],
  [/cipher/, 'cipher'],
  [/MAC/, 'hmac'],
  [/compression/, 'compress'],
];

function algorithmsError(label: string, message: string, offer: ServerOffer, cause: unknown): InputError {
  const category = CATEGORY_OF_FAILURE.find(([re]) => re.test(message))?.[1];
  const offered = category === undefined ? undefined : offer[category];
  const detail = category === undefined || offered === undefined
    ? ''
    : `; the server offers ${category}: ${offered.split(',').join(', ')}` +
      (category === 'compress' ? '' : ` (allow one of them with algorithms.${category} in the connection if you accept it)`);
  return new InputError('E_SSH_ALGORITHMS', `${label}: no SSH algorithm in common with the server (${message})${detail}`, { cause });
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** Context of one connection attempt, for turning its failure into an error an admin can act on. */
export interface ConnectContext {
  readonly label: string;
  readonly pin: HostKeyPin;
  readonly offer: ServerOffer;
  readonly secrets: readonly string[];
}

/** Classifies why a connection attempt failed. */
export function connectFailure(ctx: ConnectContext, err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const { label, pin, offer } = ctx;
  if (pin.mismatch && pin.offered !== undefined) {
    return new InputError(
      'E_HOSTKEY_MISMATCH',
      `${label}: the server's host key ${pin.offered} does not match the pinned hostKey ${pin.pinned}; ` +
        `nothing was sent to it. If the key was changed on purpose, set hostKey to ${pin.offered}`,
    );
  }
  const { message: raw, code, level } = shape(err);
  const message = redact(raw, ctx.secrets);
  if (message.startsWith('Unsupported algorithm')) {
    return new InputError('E_SSH_ALGORITHMS', `${label}: ${message} (ssh2 does not implement it; fix algorithms in the connection)`);
  }
  if (level === 'handshake' && /no matching/.test(message)) return algorithmsError(label, message, offer, err);
  if (level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new InputError('E_REMOTE_AUTH', `${label}: the server refused the login (${message})`);
  }
  if (/privateKey|private key|passphrase/i.test(message)) {
    return new InputError('E_REMOTE_AUTH', `${label}: the private key cannot be used: ${message}`);
  }
  if (level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new TransientError('E_REMOTE_TIMEOUT', `${label}: no answer in time (${message})`);
  }
  const why = typeof code === 'string' && UNAVAILABLE_CODES.has(code) ? `${code}: ${message}` : message;
  return new TransientError('E_REMOTE_UNAVAILABLE', `${label}: cannot connect (${why})`);
}

/** True when an SFTP status or ssh2-sftp-client error says the path does not exist. */
export function isNoSuchFile(err: unknown): boolean {
  const { code } = shape(err);
  return code === 2 || code === 'ENOENT';
}

/** True when ssh2 says the server lacks an extension (posix-rename@openssh.com). */
export function isUnsupported(err: unknown): boolean {
  const { code, message } = shape(err);
  return code === 8 || /does not support this extended request|not supported/i.test(message);
}

/** Turns a failed file operation into a ferry error; `action` is e.g. `rename /a to /b`. */
export function operationFailure(label: string, action: string, err: unknown, secrets: readonly string[]): FerryError {
  if (err instanceof FerryError) return err;
  const message = redact(shape(err).message, secrets);
  if (isNoSuchFile(err)) return new InputError('E_REMOTE_NOT_FOUND', `${label}: ${action}: no such file or folder`, { cause: err });
  return new TransientError(action.startsWith('rename') ? 'E_REMOTE_RENAME' : 'E_IO', `${label}: ${action} failed: ${message}`, { cause: err });
}

/** The connection went away while an operation was under way. */
export function connectionLost(label: string, detail: string, cause?: unknown): TransientError {
  return new TransientError('E_REMOTE_UNAVAILABLE', `${label}: the connection was lost (${detail})`, cause === undefined ? undefined : { cause });
}

/** An operation got no answer in time; its connection is dropped. */
export function operationTimeout(label: string, action: string, ms: number): TransientError {
  return new TransientError('E_REMOTE_TIMEOUT', `${label}: ${action}: no answer within ${ms} ms`);
}
