import { Readable } from 'node:stream';

import type { SFTPWrapper } from 'ssh2';

import { operationTimeout } from './sftp-errors.js';

/**
 * Bytes per READ: just under what ssh2 sends as one request to OpenSSH (256 KB less its 2 KB of
 * overhead), so that ssh2 never splits a READ into a full one and a tiny one waiting behind it.
 */
const CHUNK = 254 * 1024;

/**
 * READs in flight at once. One at a time leaves the link idle for a round trip per chunk (and the
 * server waiting for us); eight fill ssh2's 2 MB channel window, which is as much as the server
 * may send ahead anyway.
 */
const IN_FLIGHT = 8;

/** What {@link PipelinedRead} needs from the session it reads on. */
export interface PipelinedReadSettings {
  readonly sftp: SFTPWrapper;
  readonly handle: Buffer;
  readonly path: string;
  readonly label: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** turns a read error into the error the stream fails with */
  readonly failure: (bytes: number, err: unknown) => Error;
  readonly onBroken: (cb: (err: Error) => void) => () => void;
  readonly markBroken: (err: Error) => void;
  readonly closeHandle: () => Promise<void>;
  /** called once, after the handle is closed (or the session is gone) */
  readonly done: () => void;
}

/** One READ: where it starts, how much it asks for, and what came back (undefined until answered; empty at EOF). */
interface Request {
  readonly offset: number;
  readonly length: number;
  data: Buffer | undefined;
  /** the server refused this READ */
  error?: Error;
}

/**
 * A remote file's bytes, read with up to {@link IN_FLIGHT} READs outstanding and delivered in
 * file order. Answers may arrive in any order; a short answer (fewer bytes than asked, not EOF) is
 * followed by a READ for the rest, so no byte is skipped whatever the server's read size. The first
 * EOF in file order ends the stream. Back-pressure: no new READ goes out while the consumer's
 * buffer is full, so at most IN_FLIGHT chunks are held beyond it.
 */
export class PipelinedRead extends Readable {
  private readonly queue: Request[] = [];
  private nextOffset = 0;
  private inFlight = 0;
  private wanted = false;
  private reachedEof = false;
  private finished = false;
  private bytes = 0;
  private idle: NodeJS.Timeout | undefined;
  private lastProgress = 0;
  private readonly stopWatching: () => void;
  private readonly onAbort = (): void => {
    const reason: unknown = this.settings.signal?.reason;
    this.destroy(reason instanceof Error ? reason : new Error('aborted'));
  };

  constructor(private readonly settings: PipelinedReadSettings) {
    super({ highWaterMark: CHUNK * 4 });
    this.stopWatching = settings.onBroken((why) => this.fail(settings.failure(this.bytes, why)));
    settings.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (settings.signal?.aborted === true) queueMicrotask(this.onAbort);
  }

  override _read(): void {
    this.wanted = true;
    this.fill();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.finish();
    callback(err);
  }

  /** Sends READs until IN_FLIGHT are outstanding, unless the consumer is full or the file ended. */
  private fill(): void {
    while (this.wanted && !this.reachedEof && !this.finished && this.inFlight < IN_FLIGHT) {
      const request: Request = { offset: this.nextOffset, length: CHUNK, data: undefined };
      this.nextOffset += CHUNK;
      this.queue.push(request);
      this.send(request);
    }
  }

  private send(request: Request): void {
    const buffer = Buffer.allocUnsafe(request.length);
    this.inFlight++;
    this.armIdle();
    try {
      this.settings.sftp.read(this.settings.handle, buffer, 0, request.length, request.offset, (err, bytesRead) => {
        this.answered(request, buffer, err, bytesRead);
      });
    } catch (err) {
      this.inFlight--;
      this.fail(this.settings.failure(this.bytes, err));
    }
  }

  private answered(request: Request, buffer: Buffer, err: Error | undefined, bytesRead: number): void {
    this.inFlight--;
    if (this.finished) return;
    this.armIdle();
    if (err !== undefined) {
      // a READ past the end may be refused instead of answered with EOF: that only counts once
      // every byte before it was delivered without reaching an EOF
      request.error = err;
      request.data = Buffer.alloc(0);
      this.deliver();
      return;
    }
    const got = Math.max(0, Math.min(bytesRead, request.length));
    request.data = buffer.subarray(0, got);
    if (got > 0 && got < request.length) {
      const rest: Request = { offset: request.offset + got, length: request.length - got, data: undefined };
      this.queue.splice(this.queue.indexOf(request) + 1, 0, rest);
      this.send(rest);
    }
    this.deliver();
  }

  /** Pushes the answered chunks at the head of the queue, in file order. */
  private deliver(): void {
    let head = this.queue[0];
    while (head?.data !== undefined) {
      this.queue.shift();
      if (head.error !== undefined) {
        this.fail(this.settings.failure(this.bytes, head.error));
        return;
      }
      if (head.data.length === 0) {
        this.reachedEof = true;
        this.queue.length = 0;
        this.push(null);
        this.finish();
        return;
      }
      this.bytes += head.data.length;
      this.wanted = this.push(head.data);
      head = this.queue[0];
    }
    this.fill();
  }

  /**
   * Notes progress (a READ sent or answered). One timer serves the whole download: when it fires
   * early it waits out the rest instead of being cleared and set again for every chunk.
   */
  private armIdle(): void {
    this.lastProgress = Date.now();
    if (this.idle === undefined && this.settings.timeoutMs > 0 && this.inFlight > 0) {
      this.idle = setTimeout(() => this.onIdle(), this.settings.timeoutMs);
    }
  }

  private onIdle(): void {
    this.idle = undefined;
    // nothing outstanding: the consumer is holding us up, not the server
    if (this.finished || this.inFlight === 0) return;
    const left = this.lastProgress + this.settings.timeoutMs - Date.now();
    if (left > 0) {
      this.idle = setTimeout(() => this.onIdle(), left);
      return;
    }
    const err = operationTimeout(this.settings.label, `reading ${this.settings.path} after ${this.bytes} bytes`, this.settings.timeoutMs);
    this.fail(err);
    this.settings.markBroken(err);
  }

  /** Fails the stream, unless every byte was delivered already: a failure while closing the handle does not spoil the file. */
  private fail(err: Error): void {
    if (!this.reachedEof && !this.destroyed) this.destroy(err);
    this.finish();
  }

  /** Stops reading, closes the remote handle and hands the session back (once). */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idle);
    this.stopWatching();
    this.settings.signal?.removeEventListener('abort', this.onAbort);
    this.settings.closeHandle().catch(() => undefined).finally(this.settings.done);
  }
}
