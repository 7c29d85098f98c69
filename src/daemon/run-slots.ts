/**
 * A counting semaphore for runs: at most `max` profiles run at once in one daemon
 * (`FERRY_MAX_RUNS`, default 4), whatever starts them; the others wait their turn in order.
 * Per server, the connection pools (`maxConnections`) limit what all profiles do at once.
 */
export class RunSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`FERRY_MAX_RUNS must be a whole number of at least 1, got ${max}`);
  }

  /** Waits for a free slot; call the returned function once when the run is over. */
  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    };
  }

  /** Runs going on now. */
  get inUse(): number {
    return this.active;
  }

  /** Runs waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}

/** The daemon's limit from the environment. */
export function runSlotsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): RunSlots {
  return new RunSlots(env.FERRY_MAX_RUNS === undefined ? 4 : Number(env.FERRY_MAX_RUNS));
}
