/**
 * SSH keys for the in-process test servers, generated fresh for every server so that no key
 * material lives in the repository.
 */
import { createHash, randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';

/** A server host key. */
export interface HostKey {
  /** The private key in OpenSSH format, unencrypted. */
  readonly privateKey: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

/** A client key pair whose private half is encrypted with a passphrase. */
export interface ClientKey {
  /** The private key in OpenSSH format, encrypted with `passphrase`. */
  readonly privateKey: string;
  readonly passphrase: string;
  /** The public half, to check what a client offers. */
  readonly publicKey: ParsedKey;
}

/**
 * bcrypt rounds of the client key's KDF. ssh-keygen uses 16, but ssh2 runs bcrypt in plain
 * JavaScript (about 65 ms a round) on every connect, so tests use fewer.
 */
const CLIENT_KEY_ROUNDS = 2;

function parsed(privateKey: string, passphrase?: string): ParsedKey {
  const key = ssh2.utils.parseKey(privateKey, passphrase);
  if (key instanceof Error) throw key;
  return key;
}

/**
 * The fingerprint of a public key blob (the SSH wire encoding, as a client's `hostVerifier`
 * receives it): `SHA256:` and the unpadded base64 of its SHA-256, as `ssh-keygen -lf` prints.
 */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Wire size of an ed25519 public key blob: string "ssh-ed25519" and a 32-byte string. */
const ED25519_BLOB_BYTES = 4 + 11 + 4 + 32;

/**
 * ssh2 (1.17) strips leading zero bytes from an ed25519 public key when it writes a generated
 * pair, so about one key in 256 comes out malformed and unusable: generate until it is whole.
 */
function generateEd25519(options: { passphrase: string; cipher: string; rounds: number } | Record<string, never>): {
  privateKey: string;
  publicKey: ParsedKey;
} {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', options);
    const publicKey = ssh2.utils.parseKey(pair.public);
    if (!(publicKey instanceof Error) && publicKey.getPublicSSH().length === ED25519_BLOB_BYTES) {
      return { privateKey: pair.private, publicKey };
    }
  }
}

/** Generates a host key of the given type (RSA keys are 2048 bits, for servers limited to `ssh-rsa`). */
export function generateHostKey(type: 'ed25519' | 'rsa'): HostKey {
  const privateKey =
    type === 'rsa' ? ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).private : generateEd25519({}).privateKey;
  return { privateKey, fingerprint: sshFingerprint(parsed(privateKey).getPublicSSH()) };
}

/** Generates an ed25519 client key, encrypted with a random passphrase. */
export function generateClientKey(): ClientKey {
  const passphrase = randomBytes(9).toString('base64url');
  const { privateKey, publicKey } = generateEd25519({ passphrase, cipher: 'aes256-ctr', rounds: CLIENT_KEY_ROUNDS });
  return { privateKey, passphrase, publicKey };
}
