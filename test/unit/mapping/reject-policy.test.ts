import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createRejectPolicy } from '../../../src/mapping/reject-policy.js';

describe('createRejectPolicy', () => {
  it('rejects the whole file on the first bad row with onError: reject-file, whatever maxRejected says', () => {
    const policy = createRejectPolicy('reject-file', '50%');
    assert.equal(policy.exceeded(0, 1000), false);
    assert.equal(policy.exceeded(1, 1000), true);
    assert.match(policy.description, /reject-file/);
  });

  it('has no limit with reject-row and no maxRejected', () => {
    for (const onError of ['reject-row', undefined] as const) {
      const policy = createRejectPolicy(onError, undefined);
      assert.equal(policy.exceeded(1000, 1000), false);
      assert.equal(policy.description, 'no limit');
    }
  });

  it('allows up to a count of rejected rows', () => {
    const policy = createRejectPolicy('reject-row', 5);
    assert.equal(policy.exceeded(5, 10), false);
    assert.equal(policy.exceeded(6, 10), true);
    assert.equal(policy.description, '5 rejected rows (maxRejected)');
    assert.equal(createRejectPolicy(undefined, 0).exceeded(1, 1000), true, 'maxRejected: 0 allows no bad row');
  });

  it('allows up to a percentage of the rows, exactly at the boundary', () => {
    const policy = createRejectPolicy('reject-row', '5%');
    assert.equal(policy.exceeded(5, 100), false);
    assert.equal(policy.exceeded(6, 100), true);
    assert.equal(policy.exceeded(0, 0), false);
    assert.equal(policy.description, '5% of the rows (maxRejected)');
    assert.equal(createRejectPolicy(undefined, '7%').exceeded(7, 100), false, '7 of 100 is 7%, not 7.000000000000001%');
    assert.equal(createRejectPolicy(undefined, '0.1%').exceeded(3, 3000), false);
    assert.equal(createRejectPolicy(undefined, '0.1%').exceeded(4, 3000), true);
    assert.equal(createRejectPolicy(undefined, '2.5%').exceeded(1, 40), false);
    assert.equal(createRejectPolicy(undefined, '2.5%').exceeded(2, 40), true);
    assert.equal(createRejectPolicy(undefined, '100%').exceeded(10, 10), false);
    assert.equal(createRejectPolicy(undefined, '0%').exceeded(1, 10), true);
  });

  it('reads the limit of the sample profile as the preview prints it', () => {
    const policy = createRejectPolicy('reject-row', ' 50% ');
    assert.equal(`11 of 16 rows rejected; the limit is ${policy.description}`, '11 of 16 rows rejected; the limit is 50% of the rows (maxRejected)');
    assert.equal(policy.exceeded(11, 16), true);
    assert.equal(policy.exceeded(8, 16), false);
  });
});
