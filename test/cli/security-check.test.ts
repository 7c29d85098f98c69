// Issue 11 point 3 / research S01, S03, S07 at validation: `ferry check` refuses notification and
// export URLs on inside addresses (every spelling, the IPv4-mapped hex form included), an SFTP
// connection without a pinned host key, and plain FTP without insecure: true.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile } from '../support/workspace.js';

describe('ferry check: the security rules of a profile', () => {
  const ws = createWorkspace();
  after(() => ws.remove());

  it('refuses inside addresses for notifications and exports, insecure FTP and an unpinned SFTP server', async () => {
    const inside = ['http://169.254.169.254/latest', 'http://127.0.0.1:8470/api', 'http://[::1]/x', 'http://10.0.0.5/x', 'http://[::ffff:127.0.0.1]/x', 'http://[::ffff:a9fe:a9fe]/x', 'http://0.0.0.0/x', 'http://localhost./x'];
    ws.writeProfile('leaky', `${ordersProfile(ws, 'https://api.example.com')}notify:\n${inside.map((u) => `  - { url: "${u}" }`).join('\n')}\n`);
    ws.writeProfile('export', `version: 1
kind: export
source: { type: http, url: "http://[::ffff:10.0.0.1]/orders" }
fields:
  id: { from: id }
format: { type: csv }
target: { dir: ${ws.results}, name: "x.csv" }
`);
    writeFileSync(join(ws.profiles, 'connections.yaml'), [
      'plain: { type: ftp, host: ftp.example.com, user: u, password: "${FTP_PW}" }',
      'unpinned: { type: sftp, host: sftp.example.com, user: u, password: "${FTP_PW}" }',
      '',
    ].join('\n'));
    const r = await runCli(['check'], { env: { ...ws.env, FTP_PW: 'x' } });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 2, out);
    inside.forEach((_u, i) => assert.match(out, new RegExp(`notify\\[${i}\\]\\.url: \\S+ is a loopback, private or link-local address`), `notify[${i}] ${inside[i] ?? ''}`));
    assert.match(out, /source\.url: \S+ is a loopback, private or link-local address; exports read from there only with allowPrivate: true/);
    assert.match(out, /plain\.type: plain FTP sends the password unencrypted; use ftps, or set insecure: true/);
    assert.match(out, /unpinned\.hostKey: /);
  });
});
