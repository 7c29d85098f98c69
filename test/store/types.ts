import type { StateStore } from '../../src/store/types.js';

/** One ledger opened for a test, as `describeStateStore` gets it from an implementation's test file. */
export interface StoreUnderTest {
  /** the store the test works on, registered as an instance (opened as the daemon opens it) */
  readonly store: StateStore;
  /**
   * Opens the same ledger again as another instance (a new instance id, registered): after a
   * restart, or beside the first one where the store serves several instances at once.
   */
  reopen(options?: { leaseMs?: number }): Promise<StateStore>;
  /** closes every store it opened and removes the ledger */
  cleanup(): Promise<void>;
}

/** Opens a fresh, empty ledger; `leaseMs` is the lease of its instances (default 30 s). */
export type OpenStoreUnderTest = (options?: { leaseMs?: number }) => Promise<StoreUnderTest>;

/** What the implementation under test is. */
export interface StoreKind {
  /** several instances may use the ledger at the same time (PostgreSQL); SQLite serves one process */
  readonly shared: boolean;
  /** contract points the implementation does not meet yet, by test name: run as `todo`, with why */
  readonly gaps?: Readonly<Record<string, string>>;
  /** why the whole suite cannot run here (no database): every test is skipped with it */
  readonly skip?: string;
}

/** What each part of the contract suite is given. */
export interface ContractContext {
  readonly open: OpenStoreUnderTest;
  readonly kind: StoreKind;
  /** `it`, run as todo when the implementation lists the test as a gap */
  readonly test: (name: string, body: () => Promise<void>) => void;
}
