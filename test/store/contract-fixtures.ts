import type { NewBatch, NewNotification } from '../../src/store/types.js';
import type { OpenStoreUnderTest, StoreUnderTest } from './types.js';

let counter = 0;

/** A batch as a listing would claim it; every call is a new listing identity unless told otherwise. */
export function newBatch(overrides: Partial<NewBatch> = {}): NewBatch {
  counter += 1;
  return {
    id: `b_${counter}_${Math.random().toString(36).slice(2, 8)}`, runId: 'r1', profile: 'orders', profileVersion: 'hash-v1',
    fileName: `orders-${counter}.csv`, sourcePath: `/in/orders-${counter}.csv`, sourceSize: 100 + counter, sourceMtimeMs: 1_760_000_000_000 + counter,
    ...overrides,
  };
}

/** A notification to write with a state change. */
export function note(id: string, overrides: Partial<NewNotification> = {}): NewNotification {
  return { id, profile: 'orders', url: 'https://erp.example.com/hook', event: 'batch.completed', body: `{"id":"${id}"}`, batchId: null, retryUntil: Date.now() + 3_600_000, ...overrides };
}

/** Waits: for leases and heartbeats to run out, or for timestamps to differ. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens a ledger, runs `work` on it, and removes it whatever happens. */
export async function withStore(open: OpenStoreUnderTest, work: (s: StoreUnderTest) => Promise<void>, options?: { leaseMs?: number }): Promise<void> {
  const s = await open(options);
  try {
    await work(s);
  } finally {
    await s.cleanup();
  }
}
