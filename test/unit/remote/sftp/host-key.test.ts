import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { pinHostKey, sshFingerprint } from '../../../../src/remote/sftp/host-key.js';

const run = promisify(execFile);

/** A fresh key pair from ssh-keygen: its public key blob and the fingerprint ssh-keygen -lf prints. */
async function keygen(type: 'ed25519' | 'rsa'): Promise<{ blob: Buffer; printed: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-hostkey-'));
  try {
    const key = join(dir, 'key');
    await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', key]);
    const pub = await readFile(`${key}.pub`, 'utf8');
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key}.pub`]);
    const printed = stdout.split(' ')[1] ?? '';
    return { blob: Buffer.from(pub.split(' ')[1] ?? '', 'base64'), printed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('SSH host key fingerprints', () => {
  it('are what ssh-keygen -lf prints, for ed25519 and RSA keys', async () => {
    for (const type of ['ed25519', 'rsa'] as const) {
      const { blob, printed } = await keygen(type);
      assert.match(printed, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(sshFingerprint(blob), printed);
    }
  });

  it('accept the pinned key only, remembering what the server offered', async () => {
    const { blob, printed } = await keygen('ed25519');
    const ok = pinHostKey(printed);
    assert.equal(ok.verify(blob), true);
    assert.equal(ok.mismatch, false);
    assert.equal(ok.offered, printed);

    const other = await keygen('ed25519');
    const wrong = pinHostKey(other.printed);
    assert.equal(wrong.verify(blob), false);
    assert.equal(wrong.mismatch, true);
    assert.equal(wrong.offered, printed);
    assert.equal(wrong.pinned, other.printed);
  });

  it('accept a pin written with base64 padding', async () => {
    const { blob, printed } = await keygen('ed25519');
    assert.equal(pinHostKey(`${printed}=`).verify(blob), true);
  });
});
