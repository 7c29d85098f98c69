/**
 * The HTTP target of the delivery benchmark, run as its own process so that its CPU shows apart
 * from the sender's: `node delivery-target.js <parse|discard>`. It listens on a free loopback port
 * with keep-alive and prints `{"port": N}` as its first stdout line.
 *
 * - `parse`: `JSON.parse` of every body, counting the records (a JSON array, or the array under
 *   `items`), as a real API would have to.
 * - `discard`: counts the bytes only and never looks inside, so it reports `records: null`; this is
 *   the figure of the sender's own speed (performance-floors.md: a parsing target on the same two
 *   cores becomes the bottleneck).
 *
 * `GET /__stats` answers {@link TargetStats}; `POST /__reset` zeroes the counters. Every other
 * request is a delivery and is answered `200 {"accepted":true}` once its body is complete.
 * Import only types from this file: loading it starts the server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the target counted since its last reset. */
export interface TargetStats {
  readonly mode: TargetMode;
  readonly requests: number;
  /** Records parsed from the bodies; `null` in `discard` mode, which never looks inside. */
  readonly records: number | null;
  readonly bytes: number;
  /** Requests that carried no `Idempotency-Key` header. */
  readonly withoutKey: number;
  /** Bodies that were not JSON, or held no array of records (`parse` mode only). */
  readonly badBodies: number;
  /** CPU the target process used (user + system) since the reset, in milliseconds. */
  readonly cpuMs: number;
}

/** How the target treats bodies. */
export type TargetMode = 'parse' | 'discard';

/** Parses the mode argument of the target process. Not exported: importing this file starts a server. */
function parseTargetMode(text: string | undefined): TargetMode {
  if (text === 'parse' || text === 'discard') return text;
  throw new Error(`unknown target mode: ${text ?? '(none)'} (use parse or discard)`);
}

function countRecords(body: Buffer): number | undefined {
  const value: unknown = JSON.parse(body.toString('utf8'));
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) {
    const items = (value as Record<string, unknown>).items;
    if (Array.isArray(items)) return items.length;
  }
  return undefined;
}

function startTarget(mode: TargetMode): void {
  let requests = 0;
  let records = 0;
  let bytes = 0;
  let withoutKey = 0;
  let badBodies = 0;
  let cpuAtReset = process.cpuUsage();

  const stats = (): TargetStats => {
    const cpu = process.cpuUsage(cpuAtReset);
    return {
      mode,
      requests,
      records: mode === 'parse' ? records : null,
      bytes,
      withoutKey,
      badBodies,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  };

  const reply = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const deliver = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (mode === 'parse') chunks.push(chunk);
    });
    req.on('end', () => {
      requests++;
      bytes += size;
      if (req.headers['idempotency-key'] === undefined) withoutKey++;
      if (mode === 'parse') {
        let count: number | undefined;
        try {
          count = countRecords(Buffer.concat(chunks, size));
        } catch {
          count = undefined;
        }
        if (count === undefined) {
          badBodies++;
          reply(res, 400, '{"error":"the body is not a JSON array of records"}');
          return;
        }
        records += count;
      }
      reply(res, 200, '{"accepted":true}');
    });
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET' && req.url === '/__stats') {
      reply(res, 200, JSON.stringify(stats()));
      return;
    }
    if (req.method === 'POST' && req.url === '/__reset') {
      requests = records = bytes = withoutKey = badBodies = 0;
      cpuAtReset = process.cpuUsage();
      req.resume();
      reply(res, 200, '{}');
      return;
    }
    deliver(req, res);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  // The parent ends the target by closing our stdin (or by killing us), never by a broad name.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

startTarget(parseTargetMode(process.argv[2]));
