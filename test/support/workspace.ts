import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from './run-cli.js';

/** A throwaway ferry installation: profiles, an inbox, a results folder and a data dir. */
export interface Workspace {
  readonly root: string;
  readonly profiles: string;
  readonly inbox: string;
  readonly results: string;
  readonly data: string;
  /** env for runCli: FERRY_PROFILES and FERRY_DATA pointing here */
  readonly env: Record<string, string>;
  writeProfile(id: string, yaml: string): void;
  /** copies a file from samples/ into the inbox (under another name if given) */
  dropSample(sample: string, as?: string): string;
  /** every file below a folder, relative paths */
  files(dir: string): string[];
  remove(): void;
}

/** Creates a workspace in a temp folder. */
export function createWorkspace(prefix = 'ferry-ws-'): Workspace {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const ws: Workspace = {
    root,
    profiles: join(root, 'profiles'),
    inbox: join(root, 'inbox'),
    results: join(root, 'results'),
    data: join(root, 'data'),
    env: { FERRY_PROFILES: join(root, 'profiles'), FERRY_DATA: join(root, 'data'), FERRY_LISTEN: '127.0.0.1:0' },
    writeProfile(id, yaml) {
      mkdirSync(ws.profiles, { recursive: true });
      writeFileSync(join(ws.profiles, `${id}.yaml`), yaml);
    },
    dropSample(sample, as) {
      mkdirSync(ws.inbox, { recursive: true });
      const target = join(ws.inbox, as ?? sample);
      copyFileSync(join(REPO_ROOT, 'samples', sample), target);
      return target;
    },
    files(dir) {
      if (!existsSync(dir)) return [];
      const walk = (d: string, rel: string): string[] =>
        readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n), join(rel, n)) : [join(rel, n)]));
      return walk(dir, '').sort();
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  mkdirSync(ws.inbox, { recursive: true });
  return ws;
}

/**
 * The order files' format and fields (windows-1252, `;`, typed fields with rules, key on the
 * order number): the mapping the integration and soak tests share.
 */
export const ORDERS_MAPPING = `format: { type: csv, encoding: windows-1252, delimiter: ";" }
fields:
  orderId:   { from: "Order No", required: true }
  customer:  { from: "Customer" }
  sku:       { from: "SKU", pattern: "^SKU-[0-9]+$" }
  qty:       { from: "Qty", type: integer, min: 1 }
  price:     { from: "Price", type: decimal, decimalSeparator: ",", thousandsSeparator: "." }
  orderedAt: { from: "Date", type: date, format: "dd.MM.yyyy" }
  status:    { from: "Status", map: { O: open, C: closed } }
key: [orderId]
`;

/** An erp-orders-like profile delivering to `url`, reading the workspace inbox. */
export function ordersProfile(
  ws: Workspace,
  url: string,
  extra: { batchSize?: number; maxRejected?: string; response?: boolean; concurrency?: number; stream?: boolean } = {},
): string {
  return `version: 1
source:
  type: local
  dir: ${ws.inbox}
  include: ["*.csv"]
  stable: { minAge: 0s }
trigger: { watch: true, every: 1s }
${ORDERS_MAPPING}${extra.stream === true ? '' : `maxRejected: ${extra.maxRejected ?? '100%'}\n`}target:
  type: http
  url: ${url}/v1/orders
  batchSize: ${extra.batchSize ?? 10}
  concurrency: ${extra.concurrency ?? 1}
${extra.stream === true ? '  stream: true\n' : ''}  body: "{ items: $records }"
  retry: { attempts: 3, maxDelay: 1s, baseDelay: 50ms }
  timeout: 5s
${extra.response === true ? '  response: { items: results, id: id, error: error }\n' : ''}results:
  to: { dir: ${ws.results} }
  name: "{stem}.result.csv"
`;
}
