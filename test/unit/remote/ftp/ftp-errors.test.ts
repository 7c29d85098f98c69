import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FTPError } from 'basic-ftp';

import { toFerryError } from '../../../../src/remote/ftp/ftp-errors.js';
import { normalizeFingerprint } from '../../../../src/remote/ftp/ftp-tls.js';

const LABEL = 'ftps://ferry@ftp.example:21';

describe('FTP errors', () => {
  it('maps a 530 reply to E_REMOTE_AUTH', () => {
    const e = toFerryError(new FTPError({ code: 530, message: '530 Login incorrect.' }), LABEL, 'connecting', 'hunter22');
    assert.equal(e.code, 'E_REMOTE_AUTH');
    assert.equal(e.kind, 'input');
    assert.match(e.message, /ftp\.example.*530 Login incorrect/);
  });

  it('maps timeouts and unreachable servers to transient errors', () => {
    assert.equal(toFerryError(new Error('Timeout (control socket)'), LABEL, 'listing /', undefined).code, 'E_REMOTE_TIMEOUT');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:21'), { code: 'ECONNREFUSED' });
    const e = toFerryError(refused, LABEL, 'connecting', undefined);
    assert.equal(e.code, 'E_REMOTE_UNAVAILABLE');
    assert.equal(e.kind, 'transient');
  });

  it('never repeats the password, even when a server echoes it', () => {
    const e = toFerryError(new FTPError({ code: 500, message: '500 unknown command PASS hunter22' }), LABEL, 'x', 'hunter22');
    assert.doesNotMatch(e.message, /hunter22/);
    const auth = toFerryError(new FTPError({ code: 530, message: '530 bad password hunter22' }), LABEL, 'x', 'hunter22');
    assert.doesNotMatch(auth.message, /hunter22/);
  });

  it('reports an oversized listing as such, not as a server that is down', () => {
    const e = toFerryError(new Error('StringWriter: Maximum bytes exceeded, maxByteLength=10.'), LABEL, 'listing /in', undefined);
    assert.equal(e.code, 'E_IO');
    assert.match(e.message, /maxListingBytes/);
  });

  it('writes pinned fingerprints the way Node prints fingerprint256', () => {
    const node = 'AB:CD:EF:01';
    assert.equal(normalizeFingerprint('ab:cd:ef:01'), node);
    assert.equal(normalizeFingerprint('abcdef01'), node);
    assert.equal(normalizeFingerprint(' SHA256:AB:CD:EF:01 '), node);
    assert.equal(normalizeFingerprint('sha-256 ab cd ef 01'), node);
  });
});
