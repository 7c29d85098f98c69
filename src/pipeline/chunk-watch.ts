/**
 * Tells a reader that follows delivery (the result file written while chunks are still sent) when
 * a chunk's outcome is committed, or that delivery is over and no more will be.
 *
 * Why: the result file needs every chunk's outcome, so it used to be written after delivery, while
 * the target was done and ferry alone worked; during delivery ferry mostly waits for the target.
 * Following the commits chunk by chunk moves that work into the wait (README, How a batch flows).
 */
export class ChunkWatch {
  private readonly committed = new Set<number>();
  private ended = false;
  private waiter: { readonly seq: number; readonly wake: () => void } | undefined;

  /** Chunk `seq`'s outcome is committed. */
  saved(seq: number): void {
    this.committed.add(seq);
    if (this.waiter?.seq === seq) this.wakeWaiter();
  }

  /** Delivery is over, however it ended: waits return at once from now on. */
  end(): void {
    this.ended = true;
    this.wakeWaiter();
  }

  /**
   * Resolves when chunk `seq` has been committed since the watch began (true) or delivery has
   * ended (false unless it was committed). One reader, waiting for one chunk at a time.
   */
  async until(seq: number): Promise<boolean> {
    if (!this.committed.has(seq) && !this.ended) await new Promise<void>((wake) => (this.waiter = { seq, wake }));
    return this.committed.has(seq);
  }

  private wakeWaiter(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.wake();
  }
}
