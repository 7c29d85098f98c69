/**
 * A bounded hand-over of byte pieces from one writer to one reader in the same process: the spool
 * writer pushes the record lines it has just written, delivery reads them as they come.
 *
 * `push` waits while more than `limit` bytes wait to be read, so that reading the source file
 * never runs far ahead of what the target takes; {@link drop} releases the writer for good when
 * the reader has stopped (delivery failed), so the spool can still be completed for the result file.
 */
export class LineFeed implements AsyncIterable<Buffer> {
  private queue: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private ended = false;
  private dropped = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private readonly limit = 8 << 20) {}

  /** Queues `pieces` for the reader; resolves when the queue is short enough again. */
  async push(pieces: readonly Buffer[]): Promise<void> {
    if (this.dropped || this.ended) return;
    for (const piece of pieces) {
      this.queue.push(piece);
      this.queued += piece.length;
    }
    this.wake('reader');
    while (this.queued > this.limit && !this.dropped) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
  }

  /** No more pieces: the reader ends once it has read what is queued. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  /** The reader is gone: pushes return at once and queued pieces are let go. */
  drop(): void {
    this.dropped = true;
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.wake('writer');
    this.wake('reader');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.dropped) return;
      const piece = this.queue[this.head];
      if (piece !== undefined) {
        this.queue[this.head++] = EMPTY;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.queued -= piece.length;
        if (this.queued <= this.limit) this.wake('writer');
        yield piece;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  private wake(who: 'reader' | 'writer'): void {
    const wake = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    wake?.();
  }
}

const EMPTY = Buffer.alloc(0);
