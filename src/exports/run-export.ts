import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';

import { FerryError } from '../errors.js';
import { compileRecordPath, JSON_PATHS } from '../formats/record-path.js';
import { fromParsed } from '../formats/json/json-rows.js';
import type { SourceRow } from '../formats/types.js';
import { createTableWriter } from '../formats/writers/create-writer.js';
import type { WriterValue } from '../formats/writers/types.js';
import { notificationsFor } from '../notify/build-notifications.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import { expandNameTemplate } from '../pipeline/result-destination.js';
import type { ExportProfile } from '../profiles/export-schema.js';
import type { RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import { createTargetAuth } from '../targets/http/auth.js';
import { Agents, DEFAULT_TIMEOUTS } from '../targets/http/request.js';
import { crashPoint } from '../util/crash-point.js';
import { doneMarker } from '../util/done-marker.js';
import { newId } from '../util/ids.js';
import { fetchPages } from './fetch-pages.js';
import type { ExportResult } from './types.js';

/**
 * One export: asks the API for the records since the watermark (or `--param since=`), page by
 * page, maps them with the profile's fields and streams them into a file under a temporary name
 * in the data dir; delivers it (local folder or server, temp name + rename, done file); and only
 * then, in one transaction, ends the run, moves the watermark to when this run started and writes
 * `export.completed`. A crash before that leaves the watermark where it was, so nothing is skipped.
 */
export async function runExport(ctx: PipelineContext, loaded: LoadedProfile, spec: ExportProfile, params: RunParams, trigger: string, runId: string = newId('r')): Promise<ExportResult> {
  const startedAt = new Date();
  const log = ctx.log.child({ profile: loaded.id, run: runId });
  await ctx.store.createRun({ id: runId, profile: loaded.id, trigger, params: params.texts });
  await ctx.store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
  const since = params.texts.since ?? (await ctx.store.getWatermark(loaded.id)) ?? '';
  const vars: Record<string, string> = { since };
  for (const [k, v] of Object.entries(params.texts)) vars[`param.${k}`] = v;
  const name = expandNameTemplate(spec.target.name, { fileName: 'export', profile: loaded.id, batch: runId, at: startedAt, params: params.texts });
  // one export of a profile runs at a time (the store's instance lock), so what is left here is a crashed run's
  await rm(join(ctx.dataDir, 'exports', loaded.id), { recursive: true, force: true });
  const workDir = join(ctx.dataDir, 'exports', loaded.id, runId);
  const local = join(workDir, name);
  const agents = new Agents();
  const auth = createTargetAuth(spec.source.auth, { agents, timeouts: DEFAULT_TIMEOUTS, now: Date.now });
  let records = 0;
  let rejected = 0;
  try {
    await mkdir(workDir, { recursive: true });
    const columns = loaded.mapping.fieldNames;
    const map = loaded.mapping.bind({ columns: [], resolve: (from) => compileRecordPath(from, JSON_PATHS) }, name, params.values);
    const format = spec.format?.type ?? 'csv';
    const out = createWriteStream(local, { highWaterMark: 1 << 20 });
    const writer = createTableWriter(format, out, {
      columns, delimiter: spec.format?.delimiter ?? ',', decimalSeparator: spec.format?.decimalSeparator ?? '.', encoding: spec.format?.encoding ?? 'utf-8', lineEnding: 'CRLF',
      sheetName: spec.format?.sheetName ?? 'Export', rootElement: spec.format?.rootElement ?? 'records', recordElement: spec.format?.recordElement ?? 'record',
    });
    let n = 0;
    for await (const items of fetchPages(spec.source, { vars, headers: () => auth.headers(loaded.id, ctx.signal), signal: ctx.signal })) {
      for (const item of items) {
        n++;
        const tree = fromParsed(item, 64);
        const row: SourceRow = tree !== null && tree !== undefined && typeof tree === 'object' && !Array.isArray(tree)
          ? { row: n, cells: [], record: tree as NonNullable<SourceRow['record']> }
          : { row: n, cells: [], problem: { code: 'E_JSON_NOT_OBJECT', message: 'is not an object with fields' } };
        const outcome = map(row);
        if (!outcome.ok) {
          rejected++;
          if (rejected <= 10) log.warn({ record: n, errors: outcome.errors }, 'API record left out of the export');
          continue;
        }
        records++;
        await writer.writeRow(columns.map((c) => outcome.record[c] as WriterValue));
      }
    }
    await writer.end();
    if (records === 0 && spec.empty === 'skip') {
      await ctx.store.finishRun(runId, 'completed', { watermark: { profile: loaded.id, value: startedAt.toISOString() }, notifications: notificationsFor(loaded, 'export.completed', { run: runId, file: null, records: 0, rejected }, null) });
      log.info('nothing to export; no file written (empty: skip)');
      return { runId, status: 'completed', file: null, records, rejected, since, error: null };
    }
    const delivered = await deliver(ctx, loaded, spec, local, name);
    crashPoint('export-before-watermark');
    await ctx.store.finishRun(runId, 'completed', {
      watermark: { profile: loaded.id, value: startedAt.toISOString() },
      notifications: notificationsFor(loaded, 'export.completed', { run: runId, file: delivered, records, rejected }, null),
    });
    log.info({ file: delivered, records, rejected }, 'export delivered');
    return { runId, status: 'completed', file: delivered, records, rejected, since, error: null };
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof FerryError)) throw err;
    log.error({ err }, 'export failed');
    await ctx.store.finishRun(runId, 'failed', { notifications: notificationsFor(loaded, 'export.failed', { run: runId, error: { code: err.code, message: err.message } }, null) });
    return { runId, status: 'failed', file: null, records, rejected, since, error: `${err.code}: ${err.message}` };
  } finally {
    auth.close();
    agents.destroy();
    await rm(join(ctx.dataDir, 'exports', loaded.id), { recursive: true, force: true });
  }
}

/** Puts the file where the customer fetches it: a folder (local or a `local` connection's root) or a server. */
async function deliver(ctx: PipelineContext, loaded: LoadedProfile, spec: ExportProfile, local: string, name: string): Promise<string> {
  const connection = loaded.connections.results;
  const onServer = connection !== undefined && connection.type !== 'local';
  const root = connection?.type === 'local' ? connection.root : undefined;
  const dir = onServer ? spec.target.dir : root === undefined ? resolve(spec.target.dir) : resolve(root, spec.target.dir.replace(/^\/+/, ''));
  const fs = onServer ? ctx.remotes.get(spec.target.connection, connection) : ctx.remotes.get(undefined, undefined);
  const path = onServer ? posix.join(dir, name) : join(dir, name);
  await fs.mkdirp(dir);
  await fs.write(path, createReadStream(local), ctx.signal);
  if (spec.target.doneFile === true) await fs.write(`${path}.done`, doneMarker(name), ctx.signal);
  return path;
}
