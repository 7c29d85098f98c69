import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * Writes bytes to a stream and waits for it to drain when its buffer is full. An error of the
 * stream is kept and thrown by the next call, so a writer never hangs on a failed stream.
 */
export class ByteSink {
  readonly out: Writable;
  private failure: Error | undefined;

  constructor(out: Writable) {
    this.out = out;
    out.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  /** Writes `bytes`; resolves at once while the stream has room, after 'drain' when it has not. */
  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    if (this.out.write(bytes)) return;
    await this.drained();
  }

  /** Ends the stream and waits until everything is written. */
  async end(): Promise<void> {
    this.check();
    this.out.end();
    await finished(this.out);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.out.destroyed) throw new Error('the output stream was closed before the file was complete');
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        this.out.off('close', onClose);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDrain = (): void => settle();
      const onError = (err: Error): void => settle(err);
      const onClose = (): void => settle(this.failure ?? new Error('the output stream was closed before the file was complete'));
      this.out.on('drain', onDrain);
      this.out.on('error', onError);
      this.out.on('close', onClose);
    });
  }
}
