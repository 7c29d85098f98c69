import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

describe('a source with done files', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url).replace('stable: { minAge: 0s }', 'stable: { minAge: 0s, doneFile: "{name}.done" }'));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('takes a file only after its marker, and archives the marker with it', async () => {
    writeOrdersCsv(join(ws.inbox, 'o.csv'), 3);
    const early = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(early.code, 0, early.stderr);
    assert.equal(target.requests.length, 0, 'no marker, no batch');
    writeFileSync(join(ws.inbox, 'o.csv.done'), '');
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(target.acceptedRecords().length, 3);
    assert.ok(existsSync(join(ws.inbox, 'processed', 'o.csv')));
    assert.ok(existsSync(join(ws.inbox, 'processed', 'o.csv.done')));
    assert.deepEqual(ws.files(ws.inbox), [join('processed', 'o.csv'), join('processed', 'o.csv.done')]);
  });
});
