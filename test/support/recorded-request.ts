/**
 * What the test target records about each request. `json` is parsed lazily from the kept bytes so
 * that a long run does not hold thousands of parsed trees.
 */
import { extractRecords, parseJsonBody } from '../../scripts/lib/record-server.js';

/** One request as the target saw it. */
export interface RecordedRequest {
  /** 0-based arrival order (counted when the headers arrive). */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes received; empty when the target was started with `keepBodies: false`. */
  readonly body: Buffer;
  /** How many body bytes arrived, kept or not. */
  readonly bodyBytes: number;
  /** The parsed body; `undefined` when it is empty or not JSON. */
  readonly json: unknown;
  /** The `Idempotency-Key` header. */
  readonly idempotencyKey: string | undefined;
  /** `Date.now()` when the body was complete (when the headers arrived for `hangBeforeBody`). */
  readonly receivedAt: number;
  /**
   * What the target did: `ok` (200), `status <n>`, `redirect`, `hang`, `hang-before-body`,
   * `destroyed`, `unauthorized`, `aborted` (the client went away mid-body) or `script-error`.
   * A function script sees `pending` here.
   */
  readonly outcome: string;
  /** The status the target answered (or will answer after `delayMs`); `undefined` when it never answers. */
  readonly status: number | undefined;
}

/** The target's own, still-settling view of a request (`outcome` and `status` are set once decided). */
export class RecordedRequestEntry implements RecordedRequest {
  outcome = 'pending';
  status: number | undefined = undefined;
  /** Records in the body, counted on arrival when bodies are parsed; `undefined` otherwise. */
  readonly recordCount: number | undefined;
  #json: unknown;
  #parsed = false;

  constructor(
    readonly index: number,
    readonly method: string,
    readonly path: string,
    readonly query: URLSearchParams,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Buffer,
    readonly bodyBytes: number,
    readonly receivedAt: number,
    parseNow: boolean,
  ) {
    // Count and drop the parsed tree: thousands of live trees double the memory and slow every GC
    // under load, and `json` can re-parse the kept bytes when a test asks.
    this.recordCount = parseNow ? extractRecords(parseJsonBody(body)).length : undefined;
  }

  get json(): unknown {
    if (!this.#parsed) {
      this.#json = parseJsonBody(this.body);
      this.#parsed = true;
    }
    return this.#json;
  }

  get idempotencyKey(): string | undefined {
    return this.headers['idempotency-key'];
  }
}
