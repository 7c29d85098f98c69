import { type FerryError, InputError, TransientError } from '../errors.js';

/** Node's codes for a server certificate that the given CA (or the system's) does not vouch for. */
const TLS_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(err: unknown): string | number | undefined {
  if (err === null || typeof err !== 'object' || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** The text of an error, on one line, for messages and result files. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A broker failure as ferry's errors: refused credentials or permissions (AMQP 403, a login the
 * broker refused) are E_TARGET_AUTH and a missing exchange, queue (404) or vhost (530) E_TARGET_REJECTED, which no retry
 * mends; an untrusted certificate is E_TLS_UNTRUSTED; anything else (refused, reset, timed out,
 * closed by an operator or a restart) is E_TARGET_UNAVAILABLE, worth another attempt.
 */
export function brokerError(err: unknown, where: string): FerryError {
  if (err instanceof InputError || err instanceof TransientError) return err;
  const code = codeOf(err);
  const text = errorText(err);
  if (code === 403 || /ACCESS[_-]REFUSED/.test(text)) {
    return new InputError('E_TARGET_AUTH', `the broker ${where} refused our credentials or permissions: ${text}`, { cause: err });
  }
  if (code === 404 || code === 530 || /NOT_FOUND|NOT[_-]ALLOWED/.test(text)) {
    return new InputError('E_TARGET_REJECTED', `the broker ${where} does not have what was named: ${text}`, { cause: err });
  }
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new InputError('E_TLS_UNTRUSTED', `the broker ${where} presented a certificate that is not trusted (${code}); give its CA as ca: in the connection`, { cause: err });
  }
  return new TransientError('E_TARGET_UNAVAILABLE', `the broker ${where} cannot be reached or dropped the connection: ${text}`, { cause: err });
}
