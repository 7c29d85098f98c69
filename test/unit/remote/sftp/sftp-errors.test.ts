import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pinHostKey } from '../../../../src/remote/sftp/host-key.js';
import { connectFailure, noteServerOffer, redact, type ServerOffer } from '../../../../src/remote/sftp/sftp-errors.js';

describe('SFTP error messages', () => {
  it('keep the server offer from the handshake lines of ssh2 debug output and nothing else', () => {
    const offer: ServerOffer = {};
    noteServerOffer(offer, 'Handshake: (remote) KEX method: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1');
    noteServerOffer(offer, 'Handshake: (remote) Host key format: ssh-rsa');
    noteServerOffer(offer, 'Outbound: Sending USERAUTH_REQUEST (password)');
    assert.deepEqual(offer, { kex: 'diffie-hellman-group1-sha1,diffie-hellman-group14-sha1', serverHostKey: 'ssh-rsa' });
  });

  it('name what the server offers when no algorithm matches', () => {
    const err = Object.assign(new Error('Handshake failed: no matching key exchange algorithm'), { level: 'handshake' });
    const f = connectFailure({ label: 'sftp://u@h:22', pin: pinHostKey(`SHA256:${'A'.repeat(43)}`), offer: { kex: 'diffie-hellman-group1-sha1' }, secrets: [] }, err);
    assert.equal(f.code, 'E_SSH_ALGORITHMS');
    assert.match(f.message, /the server offers kex: diffie-hellman-group1-sha1 \(allow one of them with algorithms\.kex/);
  });

  it('never carry a secret, even when a library put it into its message', () => {
    assert.equal(redact('auth failed for hunter2secret', ['hunter2secret']), 'auth failed for [redacted]');
    const err = new Error('bad passphrase CANARY_PW_7f3a');
    const f = connectFailure({ label: 'sftp://u@h:22', pin: pinHostKey(`SHA256:${'A'.repeat(43)}`), offer: {}, secrets: ['CANARY_PW_7f3a'] }, err);
    assert.equal(f.code, 'E_REMOTE_AUTH');
    assert.ok(!f.message.includes('CANARY'));
  });
});
