import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * The console's files: scripts compiled by `tsc -p tsconfig.console.json` into dist/console, the
 * page and stylesheet from src/console/static. Both are found from this module's own place
 * (dist/src/admin/console-route.js), so the daemon serves them whatever its working directory.
 */
const SCRIPTS = fileURLToPath(new URL('../../console/', import.meta.url));
const STATIC = fileURLToPath(new URL('../../../src/console/static/', import.meta.url));

/** A file name without any path: no `/`, no `..`, no dot files, so nothing outside the two folders is reachable. */
const ASSET = /^\/console\/([a-z0-9][a-z0-9-]*)\.(js|css)$/;

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

/** Scripts and styles come only from this origin; nothing inline, no frames, no plug-ins. */
const HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function send(res: ServerResponse, path: string, type: keyof typeof CONTENT_TYPES): void {
  readFile(path).then(
    (body) => res.writeHead(200, { ...HEADERS, 'content-type': CONTENT_TYPES[type], 'content-length': body.length }).end(body),
    () => {
      // a checkout that was never built has no dist/console: say so rather than a bare 404
      if (!res.headersSent) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' })
          .end(`console file not found: ${path.slice(path.lastIndexOf('/') + 1)} (was the console built? npm run build)\n`);
      }
    },
  );
}

/**
 * Serves the web console for a GET: `/` (the page), `/console/<name>.js` (compiled scripts) and
 * `/console/<name>.css`. Returns false for any other path, leaving the answer to the caller. The
 * page holds no data; everything it shows comes from /api with the reader's token.
 */
export function handleConsole(_req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (url.pathname === '/') {
    send(res, `${STATIC}index.html`, 'html');
    return true;
  }
  const asset = ASSET.exec(url.pathname);
  if (asset === null) return false;
  const name = asset[1] ?? '';
  const ext = asset[2] === 'css' ? 'css' : 'js';
  send(res, ext === 'css' ? `${STATIC}${name}.css` : `${SCRIPTS}${name}.js`, ext);
  return true;
}
