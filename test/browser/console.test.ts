import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';

import { launchChromium } from '../support/chromium.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const ADMIN = 'console-admin-token-5e0c';
const READER = 'console-read-token-81b2';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const STEP_MS = 15_000;

interface BatchJson {
  readonly id: string;
  readonly run: string;
  readonly file: string;
  readonly state: string;
  readonly status: string;
  readonly rows: { readonly total: number; readonly rejected: number };
}

/** Waits until the element's text matches, failing with the text it had. */
async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = STEP_MS): Promise<string> {
  await locator.first().waitFor({ timeout: timeoutMs });
  let text = '';
  await until(`text ${String(expected)} (last seen: ${JSON.stringify(text.slice(0, 300))})`, async () => {
    text = (await locator.first().textContent()) ?? '';
    return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
  }, timeoutMs).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last text: ${JSON.stringify(text.slice(0, 500))}`);
  });
  return text;
}

/** The text of each body row's cells of a table. */
async function cells(table: Locator): Promise<string[][]> {
  const rows = await table.locator('tbody tr').all();
  return Promise.all(rows.map(async (r) => (await r.locator('td').allTextContents()).map((t) => t.trim())));
}

describe('web console in chromium', () => {
  let browser: Browser;
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  /** the batch of the file with a bad row, shared by the rejected-rows and reprocess tests */
  let badBatch: BatchJson | undefined;

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(res.status, 200, `GET ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };

  /** A fresh browser context and page; on failure a full-page screenshot goes to test-artifacts/. */
  const withPage = async (name: string, token: string | undefined, body: (page: Page) => Promise<void>): Promise<void> => {
    const context = await browser.newContext({ acceptDownloads: true });
    // the console keeps its token in sessionStorage; most tests start logged in
    if (token !== undefined) await context.addInitScript({ content: `sessionStorage.setItem('ferry.console.token', ${JSON.stringify(token)});` });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    try {
      await body(page);
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  };

  before(async () => {
    ws = createWorkspace('ferry-console-');
    [browser, target] = await Promise.all([launchChromium(), startHttpTarget()]);
    ws.writeProfile('orders', ordersProfile(ws, target.url));
    daemon = new DaemonProcess(ws, { FERRY_ADMIN_TOKENS: `${ADMIN},read=${READER}` });
    base = await daemon.ready();
  }, { timeout: 300_000 });

  after(async () => {
    daemon?.kill();
    await Promise.allSettled([browser?.close(), target?.close()]);
    ws?.remove();
  });

  it('creates a profile from a sample through the mapping editor', { timeout: 60_000 }, async () => {
    const sample = join(ws.root, 'webshop-orders.csv');
    writeFileSync(sample, 'Order No;Qty;Price;Ordered\nA-1;2;1.234,50;05.01.2026\nA-2;x;12,00;06.01.2026\nA-3;5;3,10;07.01.2026\n');
    const inbox = join(ws.root, 'console-inbox');
    mkdirSync(inbox, { recursive: true });
    await withPage('mapping-editor', undefined, async (page) => {
      await page.goto(`${base}/#/new`);
      await page.getByLabel('API token').fill(ADMIN);
      await page.getByRole('button', { name: 'Log in' }).click();

      await page.getByLabel('Sample file').setInputFiles(sample);
      const detected = await waitForText(page.getByTestId('detected'), 'Order No');
      assert.match(detected, /csv/);
      assert.match(detected, /";"/, 'the delimiter is detected');

      await page.getByTestId('profile-id').fill('console-orders');
      await page.getByTestId('source-dir').fill(inbox);
      await page.getByTestId('target-url').fill(`${target.url}/v1/console-orders`);
      await page.getByLabel('Order No is required', { exact: true }).check();
      await page.getByLabel('Order No is part of the key', { exact: true }).check();
      await page.getByLabel('Type of Qty', { exact: true }).selectOption('integer');
      await page.getByLabel('Type of Price', { exact: true }).selectOption('decimal');
      await page.getByLabel('Rule for Price', { exact: true }).fill('decimal: comma');
      await page.getByLabel('Type of Ordered', { exact: true }).selectOption('date');
      await page.getByLabel('Rule for Ordered', { exact: true }).fill('dd.MM.yyyy');
      await page.getByLabel('Target field for Ordered', { exact: true }).fill('orderedAt');

      const yaml = await page.getByTestId('profile-yaml').inputValue();
      assert.match(yaml, /orderedAt: +\{ from: "Ordered", type: date, format: "dd\.MM\.yyyy" \}/);

      await waitForText(page.getByTestId('preview-summary'), '2 records, 1 rejected row');
      await waitForText(page.getByTestId('preview-rejected'), 'qty');
      assert.deepEqual((await cells(page.getByTestId('preview-rejected'))).map((r) => r.slice(0, 2)), [['3', 'qty']], 'row 3 (A-2, Qty x) is rejected for its qty');
      const requests = await waitForText(page.getByTestId('preview-requests'), `${target.url}/v1/console-orders`);
      assert.match(requests, /A-1/);
      assert.match(requests, /1234\.5/, 'the decimal comma is read');

      await page.getByTestId('save-profile').click();
      await page.waitForURL(/#\/profiles\/console-orders$/);
      assert.match(await page.getByTestId('profile-text').inputValue(), /qty: +\{ from: "Qty", type: integer \}/);

      await page.getByRole('link', { name: 'Profiles', exact: true }).click();
      await page.getByTestId('profile-link-console-orders').waitFor();
    });
    const onDisk = readFileSync(join(ws.profiles, 'console-orders.yaml'), 'utf8');
    assert.match(onDisk, /key: \[orderNo\]/);
    assert.match(onDisk, new RegExp(`url: "${target.url}/v1/console-orders"`));
  });

  it("shows a run's rejected rows on its batch page, and downloads the result file", { timeout: 60_000 }, async () => {
    const staged = join(ws.root, 'bad-rows.csv');
    writeOrdersCsv(staged, 3, 'BAD');
    // row 5: a quantity of 0, below the profile's min: 1
    writeFileSync(staged, Buffer.from('BAD-00004;Kunde;SKU-000004;0;1,00;01.03.2026;O;WH1;\r\n', 'latin1'), { flag: 'a' });
    renameSync(staged, join(ws.inbox, 'bad-rows.csv'));
    await until('the batch of bad-rows.csv to settle', async () => {
      const { batches } = await api<{ batches: BatchJson[] }>('/api/batches?profile=orders');
      badBatch = batches.find((b) => b.file.endsWith('bad-rows.csv') && b.status !== 'running');
      return badBatch !== undefined;
    }, 30_000);
    const batch = badBatch;
    assert.ok(batch !== undefined);
    assert.equal(batch.rows.rejected, 1);

    await withPage('rejected-rows', ADMIN, async (page) => {
      await page.goto(`${base}/#/runs?profile=orders`);
      await page.getByTestId(`run-toggle-${batch.run}`).click();
      await page.getByTestId(`batch-link-${batch.id}`).click();
      await page.waitForURL(new RegExp(`#/batches/${batch.id}$`));
      await waitForText(page.getByTestId('batch-rows'), 'rejected');
      const [row] = await cells(page.getByTestId('batch-rows'));
      assert.deepEqual(row?.slice(0, 2), ['5', 'rejected'], 'row 5 is listed as rejected');
      assert.match(row?.[3] ?? '', /qty/, 'with the field that failed');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-result').click()]);
      assert.equal(download.suggestedFilename(), 'bad-rows.result.csv');
      const path = await download.path();
      assert.match(readFileSync(path, 'latin1'), /5;rejected/);
    });
  });

  it('reprocesses a batch from its page and shows the new run', { timeout: 60_000 }, async () => {
    const batch = badBatch;
    assert.ok(batch !== undefined, 'needs the batch of the previous test');
    await withPage('reprocess', ADMIN, async (page) => {
      await page.goto(`${base}/#/batches/${batch.id}`);
      await page.getByTestId('reprocess').click();
      const run = (await page.getByTestId('reprocess-run').textContent()) ?? '';
      assert.match(run, /^r_/);
      assert.notEqual(run, batch.run);
      await page.getByTestId('reprocess-batch').click();
      await waitForText(page.getByTestId('batch-facts'), `Reprocess of${batch.id}`);

      await page.getByRole('link', { name: 'Runs', exact: true }).click();
      await page.getByTestId(`run-row-${run}`).waitFor();
    });
  });

  it("shows a read token the daemon's 403 message for a change, and sends a refused token back to the login", { timeout: 30_000 }, async () => {
    await withPage('read-token', READER, async (page) => {
      await page.goto(`${base}/#/profiles/orders`);
      await page.getByTestId('run-now').click();
      await waitForText(page.getByTestId('run-message'), /Not allowed: .*admin token/);
    });
    await withPage('refused-token', 'not-a-token', async (page) => {
      await page.goto(`${base}/#/runs`);
      await waitForText(page.getByRole('alert').or(page.getByRole('status')), 'refused the token');
      await page.getByLabel('API token').waitFor();
    });
  });
});
