import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request body was larger than the route allows. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/** Reads a whole (small) request body, refusing it beyond `limit` bytes without buffering more. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(`the body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new BodyTooLarge(`the body is larger than the limit of ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** How much of a refused body is read and dropped so that the client sees the 413 (beyond: the connection is cut). */
const DRAIN_LIMIT = 8 << 20;

/**
 * Answers 413 for a body over the limit. The rest of the body is read and dropped (up to 8 MiB),
 * so that a client still sending it gets the answer instead of a broken pipe; a client sending
 * more than that has its connection cut.
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, err: BodyTooLarge): void {
  refuseTooLarge(req, res, err.message);
}

/**
 * Answers 413 with `message` and reads and drops the rest of the body (up to 8 MiB) on a
 * connection that stays open: answering with `Connection: close` would cut it while the client is
 * still sending, and the client would see a broken pipe instead of the answer.
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, message: string): void {
  if (!res.headersSent) res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: message }));
  req.unpipe();
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_LIMIT) req.socket.destroy();
  });
  req.resume();
}
