/**
 * The "nothing lost, nothing sent twice with another key, clear error" oracle of the test plan
 * (../shared/research/reliability-and-security.md §5, I1–I6), checked on what a user can inspect:
 * the ledger, the target's request log, the folders, and the logs.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import type { RecordedRequest } from './recorded-request.js';

/** What to check; every part is optional except the ledger. */
export interface InvariantInput {
  /** The SQLite ledger file (`<data>/ferry.db`). */
  readonly ledger: string;
  /** Every request the target received (retries and resends included). */
  readonly requests?: readonly RecordedRequest[];
  /** Folders (inbox, results, remote roots) that must hold no upload or staging temp files. */
  readonly tempFree?: readonly string[];
  /** The data dir: its `staging/` and `spool/` must be empty once the daemon is idle. */
  readonly dataDir?: string;
  /** Log texts (daemon stderr, result files, API responses) that must not contain a canary. */
  readonly texts?: readonly string[];
  /** Secret values planted in the configuration. */
  readonly canaries?: readonly string[];
  /** Batches allowed to be still in flight (e.g. a run the test left open); default none. */
  readonly allowUnfinished?: boolean;
}

/** What the ledger says, for assertions the caller adds. */
export interface LedgerSummary {
  readonly batches: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly rows: { readonly total: number; readonly delivered: number; readonly rejected: number; readonly failed: number; readonly skipped: number };
}

interface BatchLine {
  id: string; profile: string; file_name: string; content_hash: string | null; state: string; status: string; reprocess_of: string | null;
  rows_total: number; rows_delivered: number; rows_rejected: number; rows_failed: number; rows_skipped: number; error_code: string | null;
}

const TEMP_NAME = /\.ferry-part$|\.part$|\.tmp$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function readLedger(path: string): BatchLine[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    assert.equal(check, 'ok', `I1: PRAGMA integrity_check of ${path}`);
    return db.prepare('SELECT id, profile, file_name, content_hash, state, status, reprocess_of, rows_total, rows_delivered, rows_rejected, rows_failed, rows_skipped, error_code FROM batches').all() as BatchLine[];
  } finally {
    db.close();
  }
}

function checkLedger(batches: readonly BatchLine[], allowUnfinished: boolean): void {
  const doneByContent = new Map<string, string>();
  for (const b of batches) {
    if (!allowUnfinished) assert.equal(b.state, 'done', `I1: batch ${b.id} (${b.file_name}) ends in a terminal state, not ${b.state}`);
    if (b.state !== 'done') continue;
    if (b.status === 'failed') {
      assert.match(b.error_code ?? 'E_ROWS', /^E_[A-Z0-9_]+$/, `I5: failed batch ${b.id} (${b.file_name}) carries a stable code`);
    }
    const accounted = b.rows_delivered + b.rows_rejected + b.rows_failed + b.rows_skipped;
    if (b.status !== 'skipped' && b.error_code === null) {
      assert.equal(accounted, b.rows_total, `I1: every row of ${b.file_name} is accounted for (delivered + rejected + failed + skipped = total)`);
    }
    const delivered = b.status === 'completed' || b.status === 'partial';
    if (delivered && b.reprocess_of === null && b.content_hash !== null) {
      const key = `${b.profile}\u0000${b.content_hash}`;
      const other = doneByContent.get(key);
      assert.equal(other, undefined, `I1: the same content of ${b.profile} was delivered twice (batches ${other ?? ''} and ${b.id})`);
      doneByContent.set(key, b.id);
    }
  }
}

function checkResends(requests: readonly RecordedRequest[]): void {
  const bodies = new Map<string, string>();
  for (const q of requests) {
    if (q.idempotencyKey === undefined || q.body.length === 0) continue;
    const body = q.body.toString('base64');
    const seen = bodies.get(q.idempotencyKey);
    if (seen !== undefined) assert.equal(body, seen, `I2: a resend under ${q.idempotencyKey} carries the same body`);
    bodies.set(q.idempotencyKey, body);
  }
}

/**
 * Asserts I1–I6 and returns the ledger's totals. Call it once the daemon has stopped (or is idle).
 */
export function assertInvariants(input: InvariantInput): LedgerSummary {
  const batches = readLedger(input.ledger);
  checkLedger(batches, input.allowUnfinished === true);
  checkResends(input.requests ?? []);
  for (const dir of input.tempFree ?? []) {
    const temps = walk(dir).filter((f) => TEMP_NAME.test(f));
    assert.deepEqual(temps, [], `I3: no temp files left in ${dir}`);
  }
  if (input.dataDir !== undefined && input.allowUnfinished !== true) {
    for (const sub of ['staging', 'spool']) {
      assert.deepEqual(walk(join(input.dataDir, sub)), [], `I6: ${sub}/ is empty once the daemon is idle`);
    }
  }
  for (const canary of input.canaries ?? []) {
    (input.texts ?? []).forEach((text, i) => assert.ok(!text.includes(canary), `I5: secret canary ${canary.slice(0, 6)}… found in text #${i}`));
  }
  const byStatus: Record<string, number> = {};
  const rows = { total: 0, delivered: 0, rejected: 0, failed: 0, skipped: 0 };
  for (const b of batches) {
    byStatus[b.status] = (byStatus[b.status] ?? 0) + 1;
    rows.total += b.rows_total;
    rows.delivered += b.rows_delivered;
    rows.rejected += b.rows_rejected;
    rows.failed += b.rows_failed;
    rows.skipped += b.rows_skipped;
  }
  return { batches: batches.length, byStatus, rows };
}

/** Every file below `dir` as text (result files, logs), for the canary check. */
export function readAllTexts(dir: string): string[] {
  return walk(dir).filter((f) => !/\.db(-wal|-shm)?$/.test(f)).map((f) => readFileSync(f, 'latin1'));
}

/**
 * Asserts that `record` inherits nothing: every object on its prototype chain (a null-prototype
 * object has none) has no members and none leads to Object.prototype, so only the record's own
 * members can be read.
 */
export function assertInheritsNothing(record: unknown): void {
  assert.ok(typeof record === 'object' && record !== null, 'a record object');
  for (let proto = Object.getPrototypeOf(record) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    assert.notEqual(proto, Object.prototype, 'Object.prototype is not on the chain');
    assert.deepEqual(Reflect.ownKeys(proto), [], 'a prototype with no members');
  }
}
