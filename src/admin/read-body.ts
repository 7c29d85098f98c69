import type { IncomingMessage } from 'node:http';

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
