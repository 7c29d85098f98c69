import type { Client } from 'basic-ftp';
import { PassThrough, Writable, type Readable } from 'node:stream';

const CHUNK = 1 << 20;

/** A RETR in progress: the bytes, and the outcome once both the data and the control channel are done. */
export interface Download {
  /** the file's bytes; ends only after the server confirmed the whole transfer (226) */
  readonly stream: PassThrough;
  /** resolves when the first bytes arrived (never rejects; an empty file never starts) */
  readonly firstBytes: Promise<void>;
  /** settles when the transfer is over; rejects when it failed */
  readonly done: Promise<void>;
}

/**
 * Starts downloading `path` on `client` into a stream the caller spools to a file. basic-ftp ends
 * the destination it is given even when the transfer fails, so it writes into a relay instead and
 * the outgoing stream is ended only on success: a reader never sees a clean end on a cut transfer.
 * If the reader goes away, the client is closed, which aborts the transfer.
 */
export function startDownload(client: Client, path: string): Download {
  const stream = new PassThrough({ highWaterMark: CHUNK });
  // The error is kept on the stream (`errored`) for a reader that attaches late; without a
  // listener an error emitted before that would crash the process.
  stream.on('error', () => undefined);
  let settled = false;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const relay = new Writable({
    highWaterMark: CHUNK,
    write(chunk: Buffer, _encoding, callback) {
      markStarted();
      if (stream.destroyed) {
        callback(new Error('the reader stopped reading'));
        return;
      }
      if (stream.write(chunk)) {
        callback();
        return;
      }
      const resume = (): void => {
        stream.off('drain', resume);
        stream.off('close', resume);
        callback(stream.destroyed ? new Error('the reader stopped reading') : null);
      };
      stream.on('drain', resume);
      stream.on('close', resume);
    },
    final(callback) {
      callback();
    },
  });
  stream.once('close', () => {
    if (!settled) client.close();
  });
  const done = client.downloadTo(relay, path).then(
    () => {
      settled = true;
      stream.end();
    },
    (err: unknown) => {
      settled = true;
      throw err;
    },
  );
  return { stream, firstBytes: started, done };
}

/** Fails `stream` with `err` (kept as `stream.errored` for a reader that has not attached yet). */
export function failDownload(stream: Readable, err: Error): void {
  if (!stream.destroyed) stream.destroy(err);
}
