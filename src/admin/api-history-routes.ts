import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';

import type { BatchRow, RunRow, RunTotals } from '../store/types.js';
import { recordAudit } from './audit-entry.js';
import { listQuery, parseJsonBody, parseQuery, reprocessBody, rowsQuery, statsQuery } from './api-schemas.js';
import { sourcesView } from './health.js';
import type { Route } from './router.js';
import { sendJson } from './run-request.js';
import { statsBuckets } from './stats-buckets.js';
import type { AdminContext } from './types.js';

const ID = '([A-Za-z0-9_]{1,64})';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A batch as the API shows it (docs/admin-api.md `Batch`). */
export function batchView(b: BatchRow): Record<string, unknown> {
  return {
    id: b.id, run: b.runId, profile: b.profile, file: b.fileName, status: b.status, state: b.state,
    rows: { total: b.rowsTotal, delivered: b.rowsDelivered, rejected: b.rowsRejected, failed: b.rowsFailed, skipped: b.rowsSkipped },
    resultFile: b.resultFile, error: b.errorMessage === null && b.errorCode === null ? null : { code: b.errorCode, message: b.errorMessage },
    profileVersion: b.profileVersionNumber, reprocessOf: b.reprocessOf, createdAt: iso(b.createdAt), updatedAt: iso(b.updatedAt),
  };
}

const NO_BATCHES: RunTotals = { batches: 0, rowsTotal: 0, rowsDelivered: 0, rowsRejected: 0, rowsFailed: 0, rowsSkipped: 0 };

function runView(r: RunRow, t: RunTotals = NO_BATCHES): Record<string, unknown> {
  return {
    id: r.id, profile: r.profile, trigger: r.trigger, status: r.status, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt), params: r.params,
    batches: t.batches,
    rows: { total: t.rowsTotal, delivered: t.rowsDelivered, rejected: t.rowsRejected, failed: t.rowsFailed, skipped: t.rowsSkipped },
  };
}

/**
 * Where the result file of a batch can be read from: the file itself when it went to a local
 * folder, else the copy the daemon keeps in its data folder after uploading it to a server.
 */
async function resultFileOf(dataDir: string, b: BatchRow): Promise<string | undefined> {
  if (b.resultFile === null) return undefined;
  const candidates = [
    ...(isAbsolute(b.resultFile) ? [b.resultFile] : []),
    join(resolve(dataDir), 'results', b.profile, `${b.id}-${basename(b.resultFile)}`),
  ];
  for (const path of candidates) if ((await stat(path).catch(() => undefined))?.isFile() === true) return path;
  return undefined;
}

/** Runs, batches with their row problems and result files, reprocess, sources and the console's charts. */
export function historyRoutes(ctx: AdminContext): Route[] {
  return [
    {
      method: 'GET', path: /^\/api\/runs$/, access: 'api',
      handle: async ({ res, url }) => {
        const q = parseQuery(res, url, listQuery);
        if (q === undefined) return;
        const runs = await ctx.store.listRuns(q);
        const totals = await ctx.store.runTotals(runs.map((r) => r.id));
        sendJson(res, 200, { runs: runs.map((r) => runView(r, totals.get(r.id))) });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/runs/${ID}$`), access: 'api',
      handle: async ({ res, params: [id = ''] }) => {
        const run = await ctx.store.getRun(id);
        if (run === undefined) return sendJson(res, 404, { error: `no run ${id}` });
        const [batches, totals] = await Promise.all([ctx.store.listBatches({ limit: 10_000, runId: id }), ctx.store.runTotals([id])]);
        sendJson(res, 200, { run: runView(run, totals.get(id)), batches: batches.map(batchView) });
      },
    },
    {
      method: 'GET', path: /^\/api\/batches$/, access: 'api',
      handle: async ({ res, url }) => {
        const q = parseQuery(res, url, listQuery);
        if (q === undefined) return;
        sendJson(res, 200, { batches: (await ctx.store.listBatches(q)).map(batchView) });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/batches/${ID}$`), access: 'api',
      handle: async ({ res, url, params: [id = ''] }) => {
        const q = parseQuery(res, url, rowsQuery);
        if (q === undefined) return;
        const batch = await ctx.store.getBatch(id);
        if (batch === undefined) return sendJson(res, 404, { error: `no batch ${id}` });
        const page = await ctx.store.listRowProblems(id, q);
        sendJson(res, 200, { batch: batchView(batch), rows: page.rows, rowsTotal: page.total, resultAvailable: (await resultFileOf(ctx.dataDir, batch)) !== undefined });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/batches/${ID}/result$`), access: 'api',
      handle: async ({ req, res, params: [id = ''] }) => {
        const batch = await ctx.store.getBatch(id);
        if (batch === undefined) return sendJson(res, 404, { error: `no batch ${id}` });
        const path = await resultFileOf(ctx.dataDir, batch);
        if (path === undefined) return sendJson(res, batch.resultFile === null ? 404 : 410, { error: batch.resultFile === null ? `batch ${id} has no result file (yet)` : `the result file of batch ${id} is no longer here (${batch.resultFile})` });
        const size = (await stat(path)).size;
        const name = basename(batch.resultFile ?? path).replace(/[^A-Za-z0-9._-]/g, '_');
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'content-disposition': `attachment; filename="${name}"`, 'x-content-type-options': 'nosniff' });
        if (req.method === 'HEAD') return void res.end();
        createReadStream(path).on('error', () => res.destroy()).pipe(res);
      },
    },
    {
      method: 'POST', path: new RegExp(`^/api/batches/${ID}/reprocess$`), access: 'api',
      handle: async ({ req, res, params: [id = ''], caller }) => {
        const body = await parseJsonBody(req, res, reprocessBody);
        if (body === undefined) return;
        if (ctx.reprocess === undefined) return sendJson(res, 503, { error: 'reprocess is not available in this process' });
        if ((await ctx.store.getBatch(id)) === undefined) return sendJson(res, 404, { error: `no batch ${id}` });
        // before the new batch exists: a reprocess that cannot be recorded does not start
        await recordAudit(ctx.store, caller?.name ?? 'api', 'batch.reprocess', id, { originalVersion: body.originalVersion });
        const answer = await ctx.reprocess(id, { originalVersion: body.originalVersion });
        if (!answer.ok) return sendJson(res, answer.status, { error: answer.error, ...(answer.problems === undefined ? {} : { problems: answer.problems }) });
        sendJson(res, 202, { run: answer.runId, batch: answer.batchId, reprocessOf: answer.reprocessOf });
      },
    },
    {
      method: 'GET', path: /^\/api\/sources$/, access: 'api',
      handle: async ({ res }) => sendJson(res, 200, { sources: await sourcesView(ctx), connections: ctx.remotes.health() }),
    },
    {
      method: 'GET', path: /^\/api\/stats$/, access: 'api',
      handle: async ({ res, url }) => {
        const q = parseQuery(res, url, statsQuery);
        if (q === undefined) return;
        const to = Date.now();
        const from = to - q.minutes * 60_000;
        const batches = await ctx.store.listBatches({ limit: 100_000, since: from, ...(q.profile === undefined ? {} : { profile: q.profile }) });
        sendJson(res, 200, { from: iso(from), to: iso(to), buckets: statsBuckets(batches.filter((b) => b.state === 'done'), from, to) });
      },
    },
  ];
}
