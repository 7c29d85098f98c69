/**
 * The demo "Orders API" that `npm start` runs next to ferry: it takes record batches on any path,
 * answers each record with an id, and prints one line per request so a newcomer can watch ferry
 * deliver. Run it with `node dist/scripts/demo-target.js`.
 *
 * Environment: DEMO_TARGET_PORT (default 8471; 0 picks a free port), DEMO_API_TOKEN (when set,
 * requests need `Authorization: Bearer <token>`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  bearerToken,
  extractRecords,
  flattenHeaders,
  parseJsonBody,
  readBody,
  RecordIds,
  sendJson,
  splitTarget,
} from './lib/record-server.js';

const HOST = '127.0.0.1';
const FIRST_RECORD_WIDTH = 100;
const KEY_WIDTH = 24;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return 8471;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Keeps both ends of an idempotency key: ferry's keys can differ only in their tail. */
function shortenMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  const half = Math.floor((width - 1) / 2);
  return `${text.slice(0, half)}…${text.slice(text.length - half)}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('h') ? 'es' : 's'}`;

function clock(): string {
  const now = new Date();
  return [now.getHours(), now.getMinutes(), now.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function log(line: string): void {
  process.stdout.write(`${clock()}  ${line}\n`);
}

const port = parsePort(process.env['DEMO_TARGET_PORT']);
if (port === undefined) {
  process.stderr.write(`demo-target: DEMO_TARGET_PORT must be a port number (0-65535), got "${process.env['DEMO_TARGET_PORT'] ?? ''}"\n`);
  process.exit(2);
}
const token = process.env['DEMO_API_TOKEN'] === '' ? undefined : process.env['DEMO_API_TOKEN'];
const ids = new RecordIds('ord_');
let batches = 0;
let delivered = 0;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path } = splitTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  const headers = flattenHeaders(req.rawHeaders);
  const { body, complete } = await readBody(req);
  if (!complete) {
    log(`${method} ${path}  client went away before sending the whole body`);
    return;
  }
  if (token !== undefined && bearerToken(headers['authorization']) !== token) {
    log(`${method} ${path}  401: missing or wrong bearer token (set the same DEMO_API_TOKEN for ferry)`);
    sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    return;
  }
  if (method === 'GET' || method === 'HEAD') {
    sendJson(res, 200, { name: 'ferry demo Orders API', batches, records: delivered });
    return;
  }
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') {
    sendJson(res, 405, { error: 'send record batches with POST' }, { allow: 'GET, POST, PUT, PATCH' });
    return;
  }
  const json = parseJsonBody(body);
  if (json === undefined) {
    log(`${method} ${path}  400: the body is not JSON (${body.length} bytes)`);
    sendJson(res, 400, { error: 'the body must be JSON: an array of records or {"items":[...]}' });
    return;
  }
  const records = extractRecords(json);
  const key = headers['idempotency-key'];
  batches += 1;
  delivered += records.length;
  const first = records[0] === undefined ? '' : `  first=${shorten(JSON.stringify(records[0]), FIRST_RECORD_WIDTH)}`;
  const keyText = key === undefined ? 'no idempotency key' : `key=${shortenMiddle(key, KEY_WIDTH)}`;
  log(`${method} ${path}  ${plural(records.length, 'record')}  ${keyText}${first}`);
  sendJson(res, 200, ids.results(key, records.length));
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
  });
});

server.on('error', (error: NodeJS.ErrnoException) => {
  const hint = error.code === 'EADDRINUSE' ? ` (port ${port} is taken: set DEMO_TARGET_PORT to another port)` : '';
  process.stderr.write(`demo-target: ${error.message}${hint}\n`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  log(`demo Orders API listening on http://${HOST}:${bound}${token === undefined ? '' : ' (bearer token required)'}`);
});

function stop(signal: string): void {
  log(`${signal}: stopping after ${plural(batches, 'batch')}, ${plural(delivered, 'record')}`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
}

process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
