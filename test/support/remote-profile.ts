/** The shape of the remote-source tests' profile, so that each test says only what differs. */
export interface RemoteProfileOptions {
  /** the test target's base URL */
  readonly target: string;
  /** `sftp`, `ftp` or `ftps` */
  readonly type: string;
  /** a named connection, or an inline one as YAML flow text */
  readonly connection: string;
  /** `stable.checks`; default 1 */
  readonly checks?: number;
  /** e.g. `every: 200ms`; no trigger line when absent */
  readonly trigger?: string;
  /** default windows-1252 */
  readonly encoding?: string;
  /** default: uploaded to `/import/results` on the source's own server */
  readonly resultsTo?: string;
  /** extra lines under `results:` (indented), e.g. `  doneFile: true` */
  readonly resultsExtra?: string;
}

/**
 * A profile polling `/export` of a server for `*.csv` order files (order number and quantity,
 * key on the order number) and delivering them to the test target, ten records a request.
 */
export function remoteProfile(o: RemoteProfileOptions): string {
  return `version: 1
source:
  type: ${o.type}
  connection: ${o.connection}
  dir: /export
  include: ["*.csv"]
  stable: { minAge: 0s, checks: ${o.checks ?? 1} }
${o.trigger === undefined ? '' : `trigger: { ${o.trigger} }\n`}format: { type: csv, encoding: ${o.encoding ?? 'windows-1252'}, delimiter: ";" }
fields:
  orderId: { from: "Order No", required: true }
  qty:     { from: "Qty", type: integer }
key: [orderId]
target: { type: http, url: ${o.target}/v1/orders, batchSize: 10, retry: { attempts: 2, baseDelay: 20ms } }
results:
  to: ${o.resultsTo ?? `{ connection: ${o.connection}, dir: /import/results }`}
  name: "{stem}.result.csv"
${o.resultsExtra === undefined ? '' : `${o.resultsExtra}\n`}`;
}
