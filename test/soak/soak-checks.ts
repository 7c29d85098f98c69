/**
 * The soak test's end checks. The shared oracle (test/support/invariants.ts, I1–I6) runs first;
 * these add what only the soak knows: the list of files it produced, the records each should
 * have brought to the target, the result files, and what the notification endpoints received.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import type { RecordedRequest } from '../support/recorded-request.js';
import type { ChaosHook } from './chaos-receiver.js';
import type { ProducedFile } from './soak-producer.js';

/** A batch as the ledger keeps it (the columns the soak needs). */
export interface LedgerBatch {
  id: string; profile: string; file_name: string; state: string; status: string; error_code: string | null; error_message: string | null;
  rows_total: number; rows_delivered: number; rows_rejected: number; rows_failed: number; rows_skipped: number; result_file: string | null;
}

/** An outbox row. */
export interface LedgerNotification {
  id: string; profile: string; event: string; body: string; batch_id: string | null; state: string; attempts: number;
}

/** Reads batches and outbox from the ledger (read-only; the daemon may be running). */
export function readSoakLedger(path: string): { batches: LedgerBatch[]; outbox: LedgerNotification[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const batches = db.prepare('SELECT id, profile, file_name, state, status, error_code, error_message, rows_total, rows_delivered, rows_rejected, rows_failed, rows_skipped, result_file FROM batches').all() as LedgerBatch[];
    const outbox = db.prepare('SELECT id, profile, event, body, batch_id, state, attempts FROM outbox').all() as LedgerNotification[];
    return { batches, outbox };
  } finally {
    db.close();
  }
}

/** A source as the checks see it. */
export interface CheckedSource {
  /** profile id = producer source name */
  readonly profile: string;
  /** the polled folder as a local path */
  readonly inbox: string;
  /** where its result files land, as a local path */
  readonly results: string;
  /** whether a `.done` file follows each result */
  readonly doneFiles: boolean;
}

/** Checks each produced file against its one batch (twins: one of the pair delivered, the other skipped). */
export function checkFiles(produced: readonly ProducedFile[], batches: readonly LedgerBatch[]): void {
  const byFile = new Map<string, LedgerBatch[]>();
  for (const b of batches) byFile.set(`${b.profile}/${b.file_name}`, [...(byFile.get(`${b.profile}/${b.file_name}`) ?? []), b]);
  const producedKeys = new Set(produced.map((f) => `${f.source}/${f.name}`));
  for (const key of byFile.keys()) assert.ok(producedKeys.has(key), `the ledger has a batch for ${key}, which the soak never produced`);
  const one = (f: ProducedFile): LedgerBatch | undefined => {
    const mine = byFile.get(`${f.source}/${f.name}`) ?? [];
    assert.equal(mine.length, 1, `${f.source}/${f.name}: exactly one batch (found ${mine.length}: ${mine.map((b) => `${b.id} ${b.state}/${b.status}`).join(', ')})`);
    assert.equal(mine[0]?.state, 'done', `${f.name}: terminal`);
    return mine[0];
  };
  const twinned = new Map(produced.filter((f) => f.twin).map((f) => [`${f.source}/${f.duplicateOf ?? ''}`, f]));
  for (const f of produced) {
    let b = one(f);
    if (b === undefined || f.twin) continue;
    const twin = twinned.get(`${f.source}/${f.name}`);
    if (twin !== undefined) {
      // either copy may be the one delivered; the other is skipped
      const other = one(twin);
      assert.deepEqual([b.status === 'skipped', other?.status === 'skipped'].sort(), [false, true], `${f.name} and its twin ${twin.name}: one delivered, one skipped (${b.status}, ${other?.status ?? ''})`);
      if (b.status === 'skipped' && other !== undefined) b = other;
    } else if (f.duplicateOf !== undefined) {
      assert.equal(b.status, 'skipped', `${f.name}, a copy of ${f.duplicateOf}, is skipped as a duplicate (${b.status}: ${b.error_message ?? ''})`);
      continue;
    }
    const expected = f.badRows > 0 ? 'partial' : 'completed';
    assert.equal(b.status, expected, `${f.name}: ${expected} (${b.error_code ?? ''} ${b.error_message ?? ''})`);
    assert.deepEqual(
      { total: b.rows_total, delivered: b.rows_delivered, rejected: b.rows_rejected, failed: b.rows_failed },
      { total: f.rows, delivered: f.goodIds.length, rejected: f.badRows, failed: 0 },
      `${f.name}: every row accounted for`,
    );
  }
}

/** Every file below `dir`, relative. */
export function filesBelow(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesBelow(join(dir, n), join(rel, n)) : [join(rel, n)])).sort();
}

/** The source folders hold nothing but the settled files under processed/; one result (and done file) per delivered batch. */
export function checkFolders(sources: readonly CheckedSource[], produced: readonly ProducedFile[], batches: readonly LedgerBatch[]): void {
  for (const s of sources) {
    const mine = produced.filter((f) => f.source === s.profile);
    assert.deepEqual(filesBelow(s.inbox), mine.map((f) => join('processed', f.name)).sort(), `${s.profile}: every file settled once into processed/, nothing left in the inbox`);
    const withResult = batches.filter((b) => b.profile === s.profile && b.status !== 'skipped');
    const expected = withResult.flatMap((b) => {
      const name = `${b.file_name.replace(/\.csv$/, '')}.result.csv`;
      return s.doneFiles ? [name, `${name}.done`] : [name];
    }).sort();
    assert.deepEqual(filesBelow(s.results), expected, `${s.profile}: one result file per batch, nothing else`);
    for (const b of withResult) {
      const text = readFileSync(join(s.results, `${b.file_name.replace(/\.csv$/, '')}.result.csv`), 'latin1');
      const lines = text.split('\r\n').filter((l) => l !== '').length;
      assert.equal(lines, b.rows_total + 1, `${s.profile}/${b.file_name}: the result file has a header and one line per row`);
    }
  }
}

function orderIdsOf(json: unknown): string[] {
  const items = typeof json === 'object' && json !== null && 'items' in json && Array.isArray(json.items) ? (json.items as unknown[]) : [];
  return items.map((i) => (typeof i === 'object' && i !== null && 'orderId' in i ? String(i.orderId) : '?'));
}

/** What the target received, deduplicated by Idempotency-Key. */
export interface TargetTally {
  readonly requests: number;
  readonly keys: number;
  readonly failures: Readonly<Record<string, number>>;
}

/**
 * The effective records at the target (one body per Idempotency-Key) are exactly the good rows of
 * the original files, each once; every key was eventually answered with a 2xx.
 */
export function checkTarget(requests: readonly RecordedRequest[], produced: readonly ProducedFile[]): TargetTally {
  const byKey = new Map<string, { ok: boolean; ids: string[]; path: string }>();
  const failures: Record<string, number> = {};
  for (const q of requests) {
    const key = q.idempotencyKey;
    assert.ok(key !== undefined && key !== '', `request #${q.index} carries an Idempotency-Key`);
    const ok = q.status !== undefined && q.status >= 200 && q.status < 300 && q.outcome !== 'destroyed';
    if (!ok) failures[q.outcome] = (failures[q.outcome] ?? 0) + 1;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ok, ids: orderIdsOf(q.json), path: q.path });
    else {
      seen.ok ||= ok;
      assert.equal(q.path, seen.path, `${key} is always sent to the same profile's path`);
    }
  }
  const effective = new Map<string, string>();
  for (const [key, entry] of byKey) {
    assert.ok(entry.ok, `${key} (${entry.ids.length} records, ${entry.path}) was answered with a 2xx in the end`);
    for (const id of entry.ids) {
      const other = effective.get(id);
      assert.equal(other, undefined, `record ${id} was delivered under two keys (${other ?? ''} and ${key})`);
      effective.set(id, key);
    }
  }
  const expected = produced.filter((f) => f.duplicateOf === undefined).flatMap((f) => f.goodIds).sort();
  const got = [...effective.keys()].sort();
  const missing = expected.filter((id) => !effective.has(id));
  const extra = got.filter((id) => !expected.includes(id));
  assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10), count: got.length }, { missing: [], extra: [], count: expected.length }, 'the effective records at the target are exactly the good rows produced');
  return { requests: requests.length, keys: byKey.size, failures };
}

/** What the notification endpoints received, per profile. */
export interface HookTally {
  readonly attempts: number;
  readonly notifications: number;
  readonly failures: number;
}

/**
 * Every notification in the outbox was delivered (a 2xx seen by its endpoint), every attempt under
 * one webhook-id carried the same signed body, and every settled batch announced its outcome.
 */
export function checkNotifications(outbox: readonly LedgerNotification[], batches: readonly LedgerBatch[], received: ReadonlyMap<string, readonly ChaosHook[]>): HookTally {
  let attempts = 0;
  let failures = 0;
  const byId = new Map<string, ChaosHook[]>();
  for (const [profile, hooks] of received) {
    for (const h of hooks) {
      attempts++;
      if (h.outcome === 'destroyed' || h.outcome >= 300) failures++;
      assert.ok(h.signed, `${profile}: attempt of ${h.id} carries a valid signature`);
      byId.set(`${profile}/${h.id}`, [...(byId.get(`${profile}/${h.id}`) ?? []), h]);
    }
  }
  const known = new Set(outbox.map((n) => `${n.profile}/${n.id}`));
  for (const key of byId.keys()) assert.ok(known.has(key), `${key} received, but not in the outbox`);
  for (const n of outbox) {
    assert.equal(n.state, 'delivered', `notification ${n.id} (${n.event}, batch ${n.batch_id ?? ''}) is delivered, not ${n.state}`);
    const seen = byId.get(`${n.profile}/${n.id}`) ?? [];
    assert.ok(seen.some((h) => h.outcome !== 'destroyed' && h.outcome < 300), `${n.id} (${n.event}) reached its endpoint with a 2xx`);
    for (const h of seen) assert.equal(h.body, n.body, `every attempt of ${n.id} carries the same body`);
  }
  for (const b of batches.filter((x) => x.status !== 'skipped')) {
    const events = outbox.filter((n) => n.batch_id === b.id).map((n) => n.event).sort();
    assert.deepEqual(events, ['batch.completed', 'batch.partial', 'batch.failed'].filter((e) => e === `batch.${b.status}`).concat('file.received').sort(),
      `${b.profile}/${b.file_name} (${b.status}): file.received and its outcome event, once each`);
  }
  return { attempts, notifications: byId.size, failures };
}
