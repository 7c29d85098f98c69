import { describe, it } from 'node:test';

import { describeAuditContract } from './contract-audit.js';
import { describeLeasesContract } from './contract-leases.js';
import { describeLedgerContract } from './contract-ledger.js';
import { describeOutboxContract } from './contract-outbox.js';
import { describeTablesContract } from './contract-tables.js';
import type { OpenStoreUnderTest, StoreKind } from './types.js';

/**
 * The contract of `StateStore` (src/store/types.ts), run against one implementation: every
 * method's documented behaviour on a fresh ledger per test, and for stores that several instances
 * share, what two instances on one ledger decide between them (claims, schedule fires, leases, the
 * outbox). A point an implementation does not meet yet is listed in `kind.gaps` and runs as todo.
 */
export function describeStateStore(name: string, open: OpenStoreUnderTest, kind: StoreKind): void {
  const test = (title: string, body: () => Promise<void>): void => {
    const gap = kind.gaps?.[title];
    if (kind.skip !== undefined) it(title, { skip: kind.skip }, body);
    else if (gap === undefined) it(title, body);
    else it(title, { todo: gap }, body);
  };
  describe(`StateStore contract: ${name}`, () => {
    const context = { open, kind, test };
    describeLedgerContract(context);
    describeTablesContract(context);
    describeOutboxContract(context);
    describeLeasesContract(context);
    describeAuditContract(context);
  });
}
