import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { handleConsole } from '../../../src/admin/console-route.js';
import { REPO_ROOT } from '../../support/run-cli.js';

/** A raw GET, so that paths reach the server exactly as written (fetch would normalise `..`). */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

describe('handleConsole: the console page and its files', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!handleConsole(req, res, url)) res.writeHead(418).end('not mine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the page at / with no-cache and a same-origin content security policy', async () => {
    const res = await get(port, '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-security-policy']), /^default-src 'self'/);
    assert.match(res.body, /<script type="module" src="\/console\/main\.js">/);
  });

  it('serves the stylesheet and the compiled scripts with their types', async (t) => {
    const css = await get(port, '/console/styles.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    if (!existsSync(join(REPO_ROOT, 'dist', 'console', 'main.js'))) {
      t.skip('the console is not built (tsc -p tsconfig.console.json)');
      return;
    }
    const js = await get(port, '/console/main.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(js.body, /from '\.\/api\.js'/);
  });

  it('answers 404 for a missing file of the console, and leaves every other path to the caller', async () => {
    assert.equal((await get(port, '/console/nothing-here.js')).status, 404);
    for (const path of ['/api/profiles', '/index.html', '/console/', '/console/../package.json', '/console/%2e%2e%2fpackage.js', '/console/sub/main.js', '/console/.hidden.js', '/console/main.js.map', '/console/Main.JS']) {
      const res = await get(port, path);
      assert.equal(res.status, 418, `${path} is not the console's`);
    }
  });
});
