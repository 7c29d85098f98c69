/**
 * Issue 12's benchmark (`npm run bench -- --suite amqp`): the reference CSV (1M rows; 200k rows
 * with `--quick`) read, mapped and published by `ferry run` with an AMQP target (one persistent
 * message per record, publisher confirms) into a durable RabbitMQ queue, against a bare amqplib
 * publisher with confirms sending the same number of persistent messages of the same size with a
 * message id, on the same broker in the same run. Writes `.bench/results-amqp.md` and `.json`.
 * Needs RabbitMQ at FERRY_BENCH_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672).
 */
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import amqp from 'amqplib';

import { ensureReferenceCsv } from './generate-csv.js';
import type { MachineInfo } from './machine-info.js';
import { formatMachine } from './machine-info.js';
import { formatMegabytes, formatSeconds, markdownTable } from './markdown-table.js';
import { runMeasured } from './measured-process.js';

/** What run.ts hands over. */
export interface AmqpBenchOptions {
  readonly repoRoot: string;
  readonly outDir: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
}

const URL = process.env.FERRY_BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const EXCHANGE = 'ferry-bench-x';
const QUEUE = 'ferry-bench-q';
/** unconfirmed messages the bare publisher keeps in flight, as a tuned publisher would */
const WINDOW = 1000;
/** Issue 12: ferry ≥ 0.7× the bare publisher's messages/s. */
export const TARGET_RATIO = 0.7;

/** One publisher's figures. */
export interface Measured {
  readonly name: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** ferry: the process's peak RSS; the bare publisher: the bench process's RSS after it ran. */
  readonly rssBytes: number;
}

/** What `.bench/results-amqp.json` holds. */
export interface AmqpResultsFile {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly rows: number;
  readonly ferry: Measured;
  readonly bare: Measured;
  readonly ratio: number;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function resetBroker(): Promise<void> {
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  await ch.assertExchange(EXCHANGE, 'direct', { durable: true });
  await ch.assertQueue(QUEUE, { durable: true });
  await ch.bindQueue(QUEUE, EXCHANGE, 'orders');
  await ch.purgeQueue(QUEUE);
  await conn.close();
}

async function queueDepth(): Promise<number> {
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  const q = await ch.checkQueue(QUEUE);
  await conn.close();
  return q.messageCount;
}

/** The mean body size of the first `n` messages in the queue (taken off it). */
async function meanMessageSize(n: number): Promise<number> {
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  let total = 0;
  let seen = 0;
  for (; seen < n; seen++) {
    const m = await ch.get(QUEUE, { noAck: true });
    if (m === false) break;
    total += m.content.length;
  }
  await conn.close();
  return seen === 0 ? 200 : Math.round(total / seen);
}

/** The floor: publish `count` messages of `size` bytes with confirms, WINDOW in flight. */
async function barePublisher(count: number, size: number): Promise<Measured> {
  const conn = await amqp.connect(URL);
  const ch = await conn.createConfirmChannel();
  const body = Buffer.alloc(size, 0x61);
  const started = performance.now();
  let inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    inFlight.push(new Promise<void>((resolve, reject) => {
      ch.publish(EXCHANGE, 'orders', body, { persistent: true, mandatory: true, messageId: `bare-${i}`, contentType: 'application/json', appId: 'bench' }, (err) => (err === null || err === undefined ? resolve() : reject(err)));
    }));
    if (inFlight.length >= WINDOW) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await conn.close();
  return { name: 'bare amqplib publisher, confirms', messages: count, seconds, perSecond: count / seconds, rssBytes: process.memoryUsage().rss };
}

/** The first `rows` data rows of the reference CSV as a file of their own. */
async function slice(reference: string, rows: number, path: string): Promise<void> {
  const handle = await open(reference, 'r');
  const out = await open(path, 'w');
  try {
    const block = Buffer.alloc(1 << 20);
    let lines = -1;
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, block.length, null);
      if (bytesRead === 0) break;
      let end = bytesRead;
      for (let i = 0; i < bytesRead; i++) {
        if (block[i] === 0x0a && ++lines === rows) {
          end = i + 1;
          break;
        }
      }
      await out.write(block.subarray(0, end));
      if (lines >= rows) break;
    }
  } finally {
    await handle.close();
    await out.close();
  }
}

/** Runs the benchmark; returns problems (none when it ran). */
export async function runAmqpBench(o: AmqpBenchOptions): Promise<string[]> {
  const rows = o.quick ? 200_000 : 1_000_000;
  const reference = await ensureReferenceCsv(o.outDir, 1_000_000);
  const work = await mkdtemp(join(o.outDir, 'amqp-'));
  const problems: string[] = [];
  try {
    const inbox = join(work, 'inbox');
    await mkdir(inbox, { recursive: true });
    await mkdir(join(work, 'profiles'), { recursive: true });
    const file = join(inbox, 'orders.csv');
    if (rows === 1_000_000) await writeFile(file, await readFile(reference.path));
    else await slice(reference.path, rows, file);
    const base = await readFile(join(o.repoRoot, 'scripts', 'bench', 'profiles', 'reference-orders.yaml'), 'utf8');
    await writeFile(join(work, 'profiles', 'connections.yaml'), 'bench-bus:\n  type: amqp\n  url: "${FERRY_BENCH_AMQP}"\n');
    await writeFile(join(work, 'profiles', 'bench-amqp.yaml'), `${base.trimEnd()}
source: { type: local, dir: ${JSON.stringify(inbox)}, include: ["*.csv"], stable: { minAge: 0s } }
target: { type: amqp, connection: bench-bus, exchange: ${EXCHANGE}, routingKey: orders, batchSize: 1000, concurrency: 4 }
results: { to: { dir: ${JSON.stringify(join(work, 'results'))} }, name: "{stem}.result.csv" }
`);
    await resetBroker();
    progress(`amqp: ferry run, ${rows} rows`);
    const run = await runMeasured(process.execPath, [join(o.repoRoot, 'bin', 'ferry.js'), 'run', 'bench-amqp', '--json'], {
      cwd: work, timeoutMs: 1_800_000,
      env: { ...process.env as Record<string, string>, FERRY_PROFILES: join(work, 'profiles'), FERRY_DATA: join(work, 'data'), FERRY_LOG_LEVEL: 'warn', FERRY_BENCH_AMQP: URL },
    });
    const published = await queueDepth();
    if (run.code !== 0 || published < rows) problems.push(`ferry run exited ${String(run.code)} with ${published} of ${rows} messages in the queue: ${run.stderr.slice(-400)}`);
    // the bare publisher sends messages as large as ferry's records were
    const size = await meanMessageSize(200);
    const ferry: Measured = { name: 'ferry run (read + map + publish, confirms)', messages: published, seconds: run.wallMs / 1000, perSecond: published / (run.wallMs / 1000), rssBytes: run.maxRssBytes };
    await resetBroker();
    progress(`amqp: bare publisher, ${rows} messages of ${size} bytes`);
    const bare = await barePublisher(rows, size);
    await resetBroker();
    const ratio = ferry.perSecond / bare.perSecond;
    const md = [
      '## AMQP target (issue 12)', '',
      `Machine: ${formatMachine(o.machine)}. ${rows.toLocaleString('en-US')} rows of the reference CSV, one persistent JSON message per record into a durable queue on RabbitMQ (127.0.0.1), publisher confirms; ferry's time is the whole \`ferry run\` (process start, read, map, publish, result file). The bare publisher keeps ${WINDOW} messages unconfirmed at a time. Target: ferry ≥ ${TARGET_RATIO}× the bare publisher.`, '',
      markdownTable(['publisher', 'messages', 'time', 'messages/s', '× bare', 'peak RSS'], [ferry, bare].map((m) => [m.name, m.messages.toLocaleString('en-US'), formatSeconds(m.seconds * 1000), Math.round(m.perSecond).toLocaleString('en-US'), (m.perSecond / bare.perSecond).toFixed(2), formatMegabytes(m.rssBytes)]), [1, 2, 3, 4, 5]), '',
      `Ratio: ${ratio.toFixed(2)}× (${ratio >= TARGET_RATIO ? 'meets' : 'misses'} the ${TARGET_RATIO}× target).`, '',
    ].join('\n');
    await writeFile(join(o.outDir, 'results-amqp.md'), md);
    const raw: AmqpResultsFile = { date: new Date().toISOString(), machine: o.machine, quick: o.quick, rows, ferry, bare, ratio };
    await writeFile(join(o.outDir, 'results-amqp.json'), JSON.stringify(raw, null, 2));
    process.stdout.write(`${md}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return problems;
}
