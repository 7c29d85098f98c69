import { FTPError } from 'basic-ftp';

import { FerryError, InputError, TransientError, coerceError } from '../../errors.js';

/** True for an error that is a reply of the server: the control connection is still in step. */
export function isFtpReply(err: unknown): err is FTPError {
  return err instanceof FTPError;
}

/** The FTP reply code of an error, or undefined when it is not a server reply. */
export function replyCode(err: unknown): number | undefined {
  return err instanceof FTPError ? err.code : undefined;
}

/**
 * True for a failure of the connection itself (unreachable, timeout, reset), as opposed to a server
 * that answered "no": only these mark a server as down.
 */
export function isConnectionFailure(err: FerryError): boolean {
  return err.code === 'E_REMOTE_UNAVAILABLE' || err.code === 'E_REMOTE_TIMEOUT';
}

/**
 * Turns whatever basic-ftp or a socket threw into a ferry error naming the server and the step.
 * `secret` (the password) is cut out of the message in case a server echoes it back.
 */
export function toFerryError(err: unknown, label: string, what: string, secret: string | undefined): FerryError {
  if (err instanceof FerryError) return err;
  const e = coerceError(err);
  const text = redact(`${label}: ${what} failed: ${e.message}`, secret);
  if (err instanceof FTPError) {
    if (err.code === 530) return new InputError('E_REMOTE_AUTH', redact(`${label}: login refused: ${e.message}`, secret));
    if (err.code === 421) return new TransientError('E_REMOTE_UNAVAILABLE', text);
    return new TransientError('E_IO', redact(`${label}: ${what} refused by the server: ${e.message}`, secret));
  }
  if (/Maximum bytes exceeded/.test(e.message)) {
    return new TransientError('E_IO', `${label}: ${what} failed: the listing is larger than maxListingBytes`, { cause: e });
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT' || /^Timeout\b|Timeout when trying/.test(e.message)) {
    return new TransientError('E_REMOTE_TIMEOUT', text, { cause: e });
  }
  // refused, reset, unreachable, a TLS handshake that failed, a server that hung up: all worth a later try
  return new TransientError('E_REMOTE_UNAVAILABLE', text, { cause: e });
}

/** Removes a secret from a text; short secrets are left alone because cutting them would garble it. */
export function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}
