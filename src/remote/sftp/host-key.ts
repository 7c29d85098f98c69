import { createHash } from 'node:crypto';

/**
 * The fingerprint of an SSH public key blob as `ssh-keygen -lf` prints it: `SHA256:` followed by
 * the unpadded base64 of the SHA-256 of the blob.
 */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Checks the key a server offers against the pinned fingerprint, and remembers what it saw. */
export interface HostKeyPin {
  /** the pinned fingerprint, normalised (no base64 padding) */
  readonly pinned: string;
  /** for ssh2's `hostVerifier`: false refuses the server before authentication starts */
  verify(keyBlob: Buffer): boolean;
  /** the fingerprint the server offered, once it did */
  readonly offered: string | undefined;
  /** true when the server offered a key that is not the pinned one */
  readonly mismatch: boolean;
}

/**
 * A verifier for one connection attempt. Called by ssh2 during key exchange, so a wrong key ends
 * the connection before any password or key signature is sent (an impersonating server must never
 * see the credentials).
 */
export function pinHostKey(hostKey: string): HostKeyPin {
  const pinned = hostKey.trim().replace(/=+$/, '');
  let offered: string | undefined;
  return {
    pinned,
    verify(keyBlob) {
      offered = sshFingerprint(keyBlob);
      return offered === pinned;
    },
    get offered() {
      return offered;
    },
    get mismatch() {
      return offered !== undefined && offered !== pinned;
    },
  };
}
