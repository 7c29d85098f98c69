/**
 * The inventory behind BENCHMARKS.md: every benchmark the earlier issues name, the suite and cases
 * that measure it, and its targets. The targets' numbers come from the suites' own modules, so a
 * target changed in a suite changes here too.
 */
import * as amqp from './amqp-bench.js';
import * as csv from './csv-report.js';
import * as delivery from './delivery-report.js';
import { formatMegabytes } from './markdown-table.js';
import { TARGET_FILES_PER_SECOND as REMOTE_FILES_PER_SECOND, TARGET_TRANSFER_RATIO } from './remote-report.js';
import * as xlsx from './xlsx-bench.js';
import * as xml from './xml-bench.js';

/** The suites of `npm run bench`, in the order a full run takes them. */
export const SUITES = ['csv', 'delivery', 'remote', 'xlsx', 'xml', 'instances', 'amqp'] as const;

/** One suite's name (`--suite <name>`). */
export type Suite = (typeof SUITES)[number];

/**
 * What a suite needs beyond Node and the repository; shown with a suite that did not run, so the
 * reason is never a bare stack trace.
 */
export const SUITE_NEEDS: Readonly<Record<Suite, string | undefined>> = {
  csv: undefined,
  delivery: undefined,
  remote: 'root: it installs (apt) and starts OpenSSH and vsftpd on 127.0.0.1',
  xlsx: undefined,
  xml: undefined,
  instances: 'PostgreSQL at FERRY_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)',
  amqp: 'RabbitMQ at FERRY_BENCH_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)',
};

/** One benchmark an issue names. */
export interface NamedBenchmark {
  /** Stable key the suites' summaries fill in (summary-*.ts). */
  readonly id: string;
  readonly issue: number;
  readonly suite: Suite;
  /** What is measured, in the issue's words. */
  readonly what: string;
  /** The suite's case(s) that measure it, as their reports name them. */
  readonly cases: string;
  readonly target: string;
  readonly rssTarget: string;
}

const mb = formatMegabytes;
const within = (drift: number): string => `flat 1M → 3M (±${drift * 100} %)`;

/** Every named benchmark, by issue. */
export const BENCHMARKS: readonly NamedBenchmark[] = [
  {
    id: 'csv-1m', issue: 2, suite: 'csv', what: 'CSV read + map, 1M-row reference file (rows/s, MB/s)',
    cases: '`ferry read + map` vs the fastest `parser` case (papaparse, csv-parser, csv-parse)',
    target: `≥ ${csv.TARGET_RATIO}× the fastest parser`, rssTarget: `≤ ${mb(csv.TARGET_RSS_BYTES)}`,
  },
  {
    id: 'csv-3m', issue: 2, suite: 'csv', what: 'CSV read + map, 3M-row file: memory stays flat',
    cases: '3M `ferry read + map` vs 3M `papaparse (step)`; peak RSS against the 1M run',
    target: `≥ ${csv.TARGET_RATIO}× the fastest parser`, rssTarget: `≤ ${mb(csv.TARGET_RSS_BYTES)}, ${within(csv.TARGET_RSS_DRIFT)}`,
  },
  {
    id: 'delivery-1m', issue: 3, suite: 'delivery', what: 'Delivery end to end, 1M rows, local folder → parsing HTTP target (batchSize 1000)',
    cases: '`ferry` vs `floor` (raw parse + JSON + POST of the same bytes), parse target',
    target: `≤ ${delivery.TARGET_FLOOR_RATIO}× the floor's time`, rssTarget: `≤ ${mb(delivery.TARGET_RSS_BYTES)}`,
  },
  {
    id: 'delivery-3m', issue: 3, suite: 'delivery', what: 'Delivery end to end, 3M rows: memory stays flat',
    cases: '3M `ferry` vs 3M `floor`, parse target; peak RSS against the 1M run',
    target: `≤ ${delivery.TARGET_FLOOR_RATIO}× the floor's time`, rssTarget: `≤ ${mb(delivery.TARGET_RSS_BYTES)}, ${within(delivery.TARGET_RSS_DRIFT)}`,
  },
  {
    id: 'store-share', issue: 3, suite: 'delivery', what: "The state store's share of the time",
    cases: 'store calls replayed against ferry\'s runs; store samples in a `--cpu-prof` run',
    target: `< ${delivery.TARGET_STORE_SHARE * 100} %`, rssTarget: '—',
  },
  {
    id: 'delivery-small', issue: 3, suite: 'delivery', what: '1,000 small files (10 rows each) dropped at once: files/s, per-file overhead',
    cases: '`ferry small files` (parse target) and `ferry, no files` (start-up)',
    target: `≥ ${delivery.TARGET_FILES_PER_SECOND} files/s`, rssTarget: '—',
  },
  {
    id: 'sftp-get', issue: 4, suite: 'remote', what: 'Download of the 90 MB reference CSV over SFTP (OpenSSH), MB/s',
    cases: 'ferry `createSftpFs` vs OpenSSH `sftp`, transfer time (connect subtracted)',
    target: `≥ ${TARGET_TRANSFER_RATIO}× OpenSSH sftp`, rssTarget: '—',
  },
  {
    id: 'ftp-get', issue: 4, suite: 'remote', what: 'Download of the reference CSV over FTP (vsftpd), MB/s',
    cases: 'ferry `createFtpFs` vs curl, transfer time', target: `≥ ${TARGET_TRANSFER_RATIO}× curl`, rssTarget: '—',
  },
  {
    id: 'ftps-get', issue: 4, suite: 'remote', what: 'Download of the reference CSV over explicit FTPS (vsftpd), MB/s',
    cases: 'ferry `createFtpFs` (TLS) vs curl, transfer time', target: `≥ ${TARGET_TRANSFER_RATIO}× curl`, rssTarget: '—',
  },
  {
    id: 'sftp-small', issue: 4, suite: 'remote', what: '1,000 small files in one SFTP folder end to end, connection limit 4',
    cases: '`SFTP (OpenSSH), 1000 files`; the same profile on a local folder for comparison',
    target: `≥ ${REMOTE_FILES_PER_SECOND} files/s`, rssTarget: '—',
  },
  {
    id: 'xlsx', issue: 5, suite: 'xlsx', what: 'XLSX read + map, 100,000 rows × 10 columns (rows/s)',
    cases: '`ferry read + map` vs `exceljs streaming WorkbookReader`',
    target: `≥ ${xlsx.TARGET_RATIO}× exceljs`, rssTarget: `≤ ${mb(xlsx.TARGET_RSS)}`,
  },
  {
    id: 'xml-1x', issue: 5, suite: 'xml', what: 'XML read + map, 500,000 records (~110 MB; records/s)',
    cases: '`ferry read + map` vs `saxes, bare parse`', target: `≥ ${xml.TARGET_RATIO}× saxes`, rssTarget: `≤ ${mb(xml.TARGET_RSS)}`,
  },
  {
    id: 'xml-3x', issue: 5, suite: 'xml', what: 'XML read + map on a 3× larger file: memory stays flat',
    cases: '3× `ferry read + map` vs 3× `saxes, bare parse`; peak RSS against the 1× run',
    target: 'memory only (the ratio is shown; issue 5 sets it on the 1× file)', rssTarget: `≤ ${mb(xml.TARGET_RSS)}, flat (3× ≤ ${xml.FLAT_SLACK}× the 1× peak)`,
  },
  {
    id: 'grouped', issue: 6, suite: 'csv', what: 'Group-by (100k groups) + 3 lookups + 5 computed fields, 1M rows',
    cases: '`ferry group + lookups + computed` vs `ferry read + map`, same run',
    target: `≥ ${csv.MAPPING_RATIO}× read + map`, rssTarget: `≤ ${mb(csv.MAPPING_RSS_BYTES)}`,
  },
  {
    id: 'instances', issue: 10, suite: 'instances', what: '1,000 small files with 1, 2 and 3 instances on one PostgreSQL store, target at 20 ms',
    cases: '1, 2, 3 `ferry start` processes; PostgreSQL\'s share of the CPU time', target: 'files/s grows with each added instance', rssTarget: '—',
  },
  {
    id: 'amqp', issue: 12, suite: 'amqp', what: '1M-row reference CSV into a durable RabbitMQ queue with confirms (messages/s)',
    cases: '`ferry run` (AMQP target) vs a bare amqplib publisher with confirms, same broker',
    target: `≥ ${amqp.TARGET_RATIO}× the bare publisher`, rssTarget: '—',
  },
];
