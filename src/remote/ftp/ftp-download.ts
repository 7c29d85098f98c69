import type { OnReadOpts } from 'node:net';
import { Readable, Writable } from 'node:stream';

import type { FtpSession } from './ftp-connect.js';

const CHUNK = 1 << 20;
/** A read buffer smaller than this is not offered to the socket; a fresh slab is taken instead. */
const MIN_READ = 64 * 1024;

/** A RETR in progress: the bytes, and the outcome once both the data and the control channel are done. */
export interface Download {
  /** the file's bytes; ends only after the server confirmed the whole transfer (226) */
  readonly stream: Readable;
  /** resolves when the first bytes arrived (never rejects; an empty file never starts) */
  readonly firstBytes: Promise<void>;
  /** settles when the transfer is over; rejects when it failed */
  readonly done: Promise<void>;
}

const readerGone = (): Error => new Error('the reader stopped reading');

/**
 * Reads of a plain-FTP data connection straight into `stream`: each read lands in the unused rest
 * of a 1 MB slab and is pushed as a view of it (no copy; a slab is never written twice). Returning
 * false pauses the socket while the reader is full; `onPaused` lets the stream resume it.
 */
function directReads(stream: Readable, started: () => void, onPaused: () => void): OnReadOpts {
  let slab = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  return {
    buffer: () => {
      if (slab.length - used < MIN_READ) {
        slab = Buffer.allocUnsafe(CHUNK);
        used = 0;
      }
      return slab.subarray(used);
    },
    callback: (bytes, buf) => {
      if (bytes <= 0 || stream.destroyed) return true;
      started();
      used += bytes;
      if (stream.push(Buffer.from(buf.buffer, buf.byteOffset, bytes))) return true;
      onPaused();
      return false;
    },
  };
}

/**
 * Starts downloading `path` on `session` into a stream the caller spools to a file. basic-ftp ends
 * the destination it is given even when the transfer fails, so the outgoing stream is fed either by
 * the data socket's own reads (plain FTP, see {@link directReads}) or, on FTPS, by a relay that
 * basic-ftp writes into; either way it is ended only once the server confirmed the transfer, so a
 * reader never sees a clean end on a cut transfer. No Transform sits in between: every hop costs
 * per chunk. While the reader is full, the socket is paused (or the relay holds its write
 * callback, which pauses basic-ftp's pipe). If the reader goes away, the client is closed, which
 * aborts the transfer.
 */
export function startDownload(session: FtpSession, path: string): Download {
  const client = session.client;
  let settled = false;
  // the relay's write callback, held while the reader's buffer is full
  let held: ((err?: Error | null) => void) | undefined;
  let socketPaused = false;
  const release = (err: Error | null): void => {
    const callback = held;
    held = undefined;
    callback?.(err);
  };
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      release(null);
      if (socketPaused) {
        socketPaused = false;
        client.ftp.dataSocket?.resume();
      }
    },
    destroy(err, callback) {
      release(readerGone());
      if (!settled) client.close();
      callback(err);
    },
  });
  // The error is kept on the stream (`errored`) for a reader that attaches late; without a
  // listener an error emitted before that would crash the process.
  stream.on('error', () => undefined);
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  session.routeNextData(directReads(stream, markStarted, () => {
    // reading has stopped already; pause() also tells basic-ftp's watchdog that we hold it up
    socketPaused = true;
    client.ftp.dataSocket?.pause();
  }));
  const relay = new Writable({
    highWaterMark: CHUNK,
    write(chunk: Buffer, _encoding, callback) {
      markStarted();
      if (stream.destroyed) callback(readerGone());
      else if (stream.push(chunk)) callback();
      else held = callback;
    },
    final(callback) {
      callback();
    },
  });
  const done = client.downloadTo(relay, path).then(
    () => {
      settled = true;
      stream.push(null);
    },
    (err: unknown) => {
      settled = true;
      throw err;
    },
  ).finally(() => session.clearDataRoute());
  return { stream, firstBytes: started, done };
}

/** Fails `stream` with `err` (kept as `stream.errored` for a reader that has not attached yet). */
export function failDownload(stream: Readable, err: Error): void {
  if (!stream.destroyed) stream.destroy(err);
}
