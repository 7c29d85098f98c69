import type { Readable } from 'node:stream';

import type { SFTPWrapper } from 'ssh2';

import { connectionLost, operationFailure } from './sftp-errors.js';
import { PipelinedRead } from './sftp-pipelined-read.js';
import type { SftpSession } from './sftp-session.js';

/** How a download is read; `done` hands the session back once the remote handle is closed or the session is dead. */
export interface ReadOptions {
  readonly timeoutMs: number;
  readonly secrets: readonly string[];
  readonly signal: AbortSignal | undefined;
  readonly done: () => void;
}

function readFailure(session: SftpSession, path: string, bytes: number, err: unknown, secrets: readonly string[]): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (session.broken !== undefined || /No response from server|Not connected|closed/i.test(message)) {
    return connectionLost(session.label, `reading ${path} after ${bytes} bytes: ${session.broken?.message ?? message}`, err);
  }
  return operationFailure(session.label, `read ${path}`, err, secrets);
}

function openHandle(sftp: SFTPWrapper, path: string): Promise<Buffer> {
  return new Promise<Buffer>((ok, fail) => {
    sftp.open(path, 'r', (err, handle) => {
      if (err) fail(err);
      else ok(handle);
    });
  });
}

/**
 * Opens `path` on the session's SFTP channel and returns a stream of its bytes that keeps several
 * READs in flight (see {@link PipelinedRead}). ssh2's own read stream waits for each answer before
 * asking for the next chunk and fastGet only writes to local paths (and corrupts files on some
 * servers). The stream errors when the connection or channel is cut; a server that simply stops
 * early ends it cleanly, and the caller's size check catches that. While READs are outstanding,
 * no answer for `timeoutMs` is a timeout that drops the session.
 */
export async function openRemoteRead(session: SftpSession, path: string, opts: ReadOptions): Promise<Readable> {
  let finished = false;
  const done = (): void => {
    if (finished) return;
    finished = true;
    opts.done();
  };
  let handle: Buffer;
  try {
    handle = await session.run(`open ${path}`, opts.timeoutMs, () => openHandle(session.sftp, path), opts.signal);
  } catch (err) {
    done();
    throw readFailure(session, path, 0, err, opts.secrets);
  }
  return new PipelinedRead({
    sftp: session.sftp,
    handle,
    path,
    label: session.label,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    failure: (bytes, err) => readFailure(session, path, bytes, err, opts.secrets),
    onBroken: (cb) => session.onBroken(cb),
    markBroken: (err) => session.markBroken(err),
    closeHandle: () => session.run(`close ${path}`, opts.timeoutMs, () => new Promise<void>((ok, fail) => {
      session.sftp.close(handle, (err) => {
        if (err) fail(err);
        else ok();
      });
    })),
    done,
  });
}
