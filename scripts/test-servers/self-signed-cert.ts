/**
 * Self-signed X.509 certificates for the test FTPS servers. Node cannot issue certificates itself,
 * so this runs the `openssl` command line tool, which Debian always has.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A certificate with its unencrypted private key. */
export interface SelfSignedCert {
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 fingerprint as `tlsSocket.getPeerCertificate().fingerprint256` prints it: `AB:CD:…`. */
  readonly fingerprint256: string;
}

/** Options of {@link createSelfSignedCert}. */
export interface SelfSignedCertOptions {
  /** `ec` (P-256) is much faster to generate; `rsa` (2048 bits) suits the oldest TLS stacks. Default `ec`. */
  readonly keyType?: 'ec' | 'rsa';
  /** Default 2. */
  readonly days?: number;
}

/** The SHA-256 fingerprint of a PEM certificate in Node's colon-hex form. */
export function certFingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Issues a certificate for CN=127.0.0.1 with the IP address 127.0.0.1 as subjectAltName. */
export async function createSelfSignedCert(options: SelfSignedCertOptions = {}): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const keyArgs = (options.keyType ?? 'ec') === 'rsa'
      ? ['-newkey', 'rsa:2048']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    await execFileAsync('openssl', [
      'req', '-x509', ...keyArgs, '-nodes',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-days', String(options.days ?? 2),
      '-keyout', keyPath, '-out', certPath,
    ]).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`openssl could not issue a self-signed certificate: ${reason}`);
    });
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certPem, keyPem, fingerprint256: certFingerprint256(certPem) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
