import type { DeliveryChunk } from '../types.js';
import type { OutgoingMessage } from './types.js';

/**
 * The message id of record `index` of a chunk: the chunk's idempotency key and the record's
 * position in it. The chunk key is derived from the file's content, the profile version, the
 * chunk's place and its records, so the id is the same whenever that record is sent again.
 */
export function recordMessageId(chunkKey: string, index: number): string {
  return `${chunkKey}.${index}`;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

function bytes(record: Buffer | string): Buffer {
  return typeof record === 'string' ? Buffer.from(record, 'utf8') : record;
}

/**
 * The messages of a chunk: one per record (the record's JSON, under {@link recordMessageId}), or
 * with `batch` one for the whole chunk (a JSON array of its records, under the chunk key).
 */
export function chunkMessages(chunk: DeliveryChunk, perMessage: 'record' | 'batch'): OutgoingMessage[] {
  if (perMessage === 'batch') {
    const parts: Buffer[] = [OPEN];
    chunk.records.forEach((r, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(bytes(r));
    });
    parts.push(CLOSE);
    return [{ id: chunk.key, body: Buffer.concat(parts), first: 0, count: chunk.records.length }];
  }
  return chunk.records.map((r, i) => ({ id: recordMessageId(chunk.key, i), body: bytes(r), first: i, count: 1 }));
}
