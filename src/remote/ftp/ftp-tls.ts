import type { Socket } from 'node:net';
import { TLSSocket, type ConnectionOptions } from 'node:tls';

import { InputError } from '../../errors.js';

/** How a server certificate is trusted: by a pinned SHA-256 fingerprint, or by the CA chain and host name. */
export interface TlsTrust {
  /** the connection, for messages */
  readonly label: string;
  /** normalised pinned fingerprint ("AB:CD:…"), when the profile pins one */
  readonly pin: string | undefined;
}

/**
 * Writes a SHA-256 fingerprint the way Node prints `fingerprint256`: upper-case hex pairs joined by
 * colons. Accepts lower case, no colons, and a leading "SHA256:" or "sha-256 " as people paste it.
 */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.trim().replace(/^sha-?256[:= ]?/i, '').replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{1,2}/g)?.join(':') ?? '';
}

/**
 * TLS options for the control and data connections. `rejectUnauthorized` is off only so that a
 * pinned self-signed certificate can be accepted and a refused one reported with its fingerprint:
 * {@link verifyServerCertificate} decides on the control connection before USER is sent, and
 * {@link guardDataSocket} on every data connection that does not resume that verified session.
 */
export function tlsOptionsFor(host: string, ca: string | undefined): ConnectionOptions {
  return { host, ...(ca === undefined ? {} : { ca }), rejectUnauthorized: false };
}

/**
 * Accepts the server certificate only when it has the pinned fingerprint, or (without a pin) when
 * Node found its chain trusted (system CAs or the profile's `ca`) and its name matching the host.
 * Anything else is E_TLS_UNTRUSTED with the offered fingerprint, so that an operator can check it
 * with the partner and pin it.
 */
export function verifyServerCertificate(socket: TLSSocket, trust: TlsTrust): void {
  const cert = socket.getPeerCertificate();
  const offered = typeof cert.fingerprint256 === 'string' ? cert.fingerprint256 : '(no certificate)';
  if (trust.pin !== undefined) {
    if (offered === trust.pin) return;
    throw new InputError(
      'E_TLS_UNTRUSTED',
      `${trust.label} presented the certificate ${offered}, but certFingerprint pins ${trust.pin}; refusing to log in`,
    );
  }
  if (socket.authorized) return;
  const reason = socket.authorizationError === null ? 'not trusted' : String(socket.authorizationError);
  throw new InputError(
    'E_TLS_UNTRUSTED',
    `${trust.label} presented a certificate that is not trusted (${reason}); its SHA-256 fingerprint is ${offered}. ` +
      'Give its CA in "ca", or pin it with certFingerprint after checking it with the server owner',
  );
}

/**
 * Checks a data connection once its handshake is done. A resumed session is the one verified on
 * the control connection; a fresh handshake is verified like the control connection, so that a
 * third party racing for the passive port cannot present its own certificate.
 */
export function guardDataSocket(socket: Socket | undefined, trust: TlsTrust): void {
  if (!(socket instanceof TLSSocket)) return;
  socket.once('secureConnect', () => {
    if (socket.isSessionReused()) return;
    try {
      verifyServerCertificate(socket, trust);
    } catch (err) {
      socket.destroy(err instanceof Error ? err : undefined);
    }
  });
}
