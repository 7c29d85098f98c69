import { PassThrough, type Readable } from 'node:stream';

import { connectionLost, operationFailure, operationTimeout } from './sftp-errors.js';
import type { SftpSession } from './sftp-session.js';

/** How a download is read; `done` hands the session back once the remote handle is closed or the session is dead. */
export interface ReadOptions {
  readonly timeoutMs: number;
  readonly secrets: readonly string[];
  readonly signal: AbortSignal | undefined;
  readonly done: () => void;
}

/** ssh2 reads one request at a time; bigger requests mean fewer round trips (OpenSSH allows ~256 KB). */
const READ_CHUNK = 256 * 1024;

function readFailure(session: SftpSession, path: string, bytes: number, err: unknown, secrets: readonly string[]): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (session.broken !== undefined || /No response from server|Not connected|closed/i.test(message)) {
    return connectionLost(session.label, `reading ${path} after ${bytes} bytes: ${session.broken?.message ?? message}`, err);
  }
  return operationFailure(session.label, `read ${path}`, err, secrets);
}

/**
 * Opens `path` with ssh2-sftp-client's stream API (not fastGet, which corrupts files on some
 * servers) and returns a stream that errors when the connection or channel is cut. A server that
 * simply stops early ends the stream cleanly; the caller's size check catches that. While the
 * consumer keeps up, no data for `timeoutMs` is a timeout that drops the session.
 */
export async function openRemoteRead(session: SftpSession, path: string, opts: ReadOptions): Promise<Readable> {
  let finished = false;
  const done = (): void => {
    if (finished) return;
    finished = true;
    opts.done();
  };
  let source: Readable;
  try {
    source = session.client.createReadStream(path, { highWaterMark: READ_CHUNK });
  } catch (err) {
    done();
    throw readFailure(session, path, 0, err, opts.secrets);
  }
  // the listeners below come after the open; an error before them must not go unhandled
  source.on('error', () => undefined);
  try {
    await session.run(`open ${path}`, opts.timeoutMs, () => new Promise<void>((ok, fail) => {
      source.once('open', () => ok());
      source.once('error', fail);
    }), opts.signal);
  } catch (err) {
    source.destroy();
    done();
    throw readFailure(session, path, 0, err, opts.secrets);
  }

  const out = new PassThrough({ highWaterMark: READ_CHUNK * 4 });
  let bytes = 0;
  let idle: NodeJS.Timeout | undefined;
  const finish = (): void => {
    clearTimeout(idle);
    stopWatching();
    opts.signal?.removeEventListener('abort', onAbort);
    done();
  };
  const fail = (err: Error): void => {
    // once every byte has arrived, a failure while closing the handle does not spoil the file
    if (!source.readableEnded) out.destroy(err);
    finish();
  };
  const onIdle = (): void => {
    if (finished) return;
    if (source.isPaused() || out.writableNeedDrain) {
      armIdle();
      return;
    }
    const err = operationTimeout(session.label, `reading ${path} after ${bytes} bytes`, opts.timeoutMs);
    fail(err);
    session.markBroken(err);
  };
  const armIdle = (): void => {
    clearTimeout(idle);
    if (opts.timeoutMs > 0) idle = setTimeout(onIdle, opts.timeoutMs);
  };
  const stopWatching = session.onBroken((why) => fail(readFailure(session, path, bytes, why, opts.secrets)));
  const onAbort = (): void => {
    out.destroy(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    armIdle();
  });
  source.on('error', (err: unknown) => fail(readFailure(session, path, bytes, err, opts.secrets)));
  // ssh2 emits 'close' once the remote handle is closed after the end or a destroy
  source.on('close', finish);
  out.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(out);
  armIdle();
  return out;
}
