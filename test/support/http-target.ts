/**
 * A real HTTP "records API" on loopback for ferry's tests: it records every request and can be
 * scripted, request by request, to answer with an error, stall, drop the connection and so on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  bearerToken,
  extractRecords,
  flattenHeaders,
  readBody,
  RecordIds,
  sendJson,
  splitTarget,
} from '../../scripts/lib/record-server.js';
import { RecordedRequestEntry, type RecordedRequest } from './recorded-request.js';
import { planReply, writeReply, type TargetReply, type TargetStep } from './target-reply.js';

export type { RecordedRequest } from './recorded-request.js';
export type { TargetStep } from './target-reply.js';

/** Steps consumed one per request (then the default applies), or a function deciding each request. */
export type TargetScript = readonly TargetStep[] | ((req: RecordedRequest) => TargetStep);

/** A running target; see {@link startHttpTarget}. */
export interface HttpTarget {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request, in arrival order, once its body is complete (or, for `hangBeforeBody`, at once). */
  readonly requests: readonly RecordedRequest[];
  /**
   * The records of every request answered with a 2xx (even when the client had gone by the time a
   * delayed answer was due, as a real API would have kept them): the body when it is an array,
   * else the array under `items`, `records` or `data`, else a lone JSON object as one record.
   */
  acceptedRecords(): unknown[];
  /** Replaces the script; an array is consumed one step per request, then the default applies. */
  script(s: TargetScript): void;
  /** Resolves when `n` requests have arrived; rejects after `timeoutMs` (default 10 s) naming how many did. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Stops the server and destroys every connection, hanging ones included. */
  close(): Promise<void>;
}

/** Options of {@link startHttpTarget}. */
export interface HttpTargetOptions {
  script?: TargetScript;
  /** Requests without `Authorization: Bearer <token>` get 401; a function decides which tokens are good. */
  requireBearer?: string | ((token: string) => boolean);
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Parse each body on arrival to count its records for the default reply (default true). When
   * false the default reply is `{"accepted":true}`. Either way `json` is parsed on first use.
   */
  parseBodies?: boolean;
  /**
   * Keep request bodies (default true). False is for throughput runs: bodies are only counted
   * (`bodyBytes`), never parsed, the default reply is `{"accepted":true}` and `acceptedRecords()` throws.
   */
  keepBodies?: boolean;
}

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const isSuccess = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

class Target implements HttpTarget {
  url = '';
  readonly #server: Server;
  readonly #requests: RecordedRequestEntry[] = [];
  readonly #ids = new RecordIds('T-');
  readonly #waiters = new Set<Waiter>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #parseBodies: boolean;
  readonly #keepBodies: boolean;
  readonly #requireBearer: ((token: string) => boolean) | undefined;
  #steps: TargetStep[] | undefined;
  #decide: ((req: RecordedRequest) => TargetStep) | undefined;
  #nextIndex = 0;
  #closing: Promise<void> | undefined;

  constructor(options: HttpTargetOptions) {
    this.#keepBodies = options.keepBodies ?? true;
    this.#parseBodies = this.#keepBodies && (options.parseBodies ?? true);
    const bearer = options.requireBearer;
    this.#requireBearer = typeof bearer === 'string' ? (token) => token === bearer : bearer;
    if (options.script !== undefined) this.script(options.script);
    // requestTimeout 0: a hangBeforeBody request must stay open until close(), not 5 minutes.
    this.#server = createServer({ requestTimeout: 0 }, (req, res) => this.#handle(req, res));
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  }

  script(s: TargetScript): void {
    if (typeof s === 'function') {
      this.#decide = s;
      this.#steps = undefined;
    } else {
      this.#steps = [...s];
      this.#decide = undefined;
    }
  }

  acceptedRecords(): unknown[] {
    if (!this.#keepBodies) throw new Error('acceptedRecords() needs the bodies: start the target without keepBodies: false');
    const records: unknown[] = [];
    for (const request of this.#requests) {
      if (!isSuccess(request.status)) continue;
      for (const record of extractRecords(request.json)) records.push(record);
    }
    return records;
  }

  waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.#requests.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        n,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`waited ${timeoutMs} ms for ${n} requests to the target; ${this.#requests.length} arrived`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      for (const waiter of this.#waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`the target closed after ${this.#requests.length} of ${waiter.n} awaited requests`));
      }
      this.#waiters.clear();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const index = this.#nextIndex++;
    const headers = flattenHeaders(req.rawHeaders);
    const { path, query } = splitTarget(req.url ?? '/');
    const record = (body: Buffer, bytes: number): RecordedRequestEntry =>
      new RecordedRequestEntry(index, req.method ?? 'GET', path, query, headers, body, bytes, Date.now(), this.#parseBodies);

    if (!this.#authorized(headers)) {
      void readBody(req, this.#keepBodies).then(({ body, bytes }) => {
        this.#push(record(body, bytes), 'unauthorized', 401);
        sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
      });
      return;
    }
    // Array steps are taken in arrival order, before the body, so that hangBeforeBody is possible.
    const step = this.#steps?.shift();
    if (step?.hangBeforeBody === true) {
      this.#push(record(Buffer.alloc(0), 0), 'hang-before-body', undefined);
      return;
    }
    void readBody(req, this.#keepBodies).then(({ body, bytes, complete }) => {
      const rec = record(body, bytes);
      if (!complete) {
        this.#push(rec, 'aborted', undefined);
        return;
      }
      this.#answer(rec, step, req, res);
    });
  }

  #authorized(headers: Readonly<Record<string, string>>): boolean {
    if (this.#requireBearer === undefined) return true;
    const token = bearerToken(headers['authorization']);
    return token !== undefined && this.#requireBearer(token);
  }

  #answer(rec: RecordedRequestEntry, arrayStep: TargetStep | undefined, req: IncomingMessage, res: ServerResponse): void {
    let reply: TargetReply;
    let step: TargetStep;
    try {
      step = arrayStep ?? this.#decide?.(rec) ?? {};
      if (step.hang === true || step.hangBeforeBody === true) {
        this.#push(rec, 'hang', undefined);
        return;
      }
      if (step.destroyAfterBody === true) {
        this.#push(rec, 'destroyed', undefined);
        req.socket.destroy();
        return;
      }
      reply = planReply(step, {
        records: () => extractRecords(rec.json),
        idFor: (i) => this.#ids.idFor(rec.idempotencyKey, i),
        defaultBody: () =>
          rec.recordCount === undefined ? { accepted: true } : this.#ids.results(rec.idempotencyKey, rec.recordCount),
      });
    } catch (error) {
      this.#push(rec, 'script-error', 500);
      sendJson(res, 500, { error: `the target's script threw: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.#push(rec, reply.outcome, reply.status);
    const delayMs = step.delayMs ?? 0;
    if (delayMs <= 0) {
      writeReply(res, reply);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      writeReply(res, reply);
    }, delayMs);
    this.#timers.add(timer);
  }

  #push(rec: RecordedRequestEntry, outcome: string, status: number | undefined): void {
    rec.outcome = outcome;
    rec.status = status;
    // Bodies finish out of order under concurrency; keep the list in arrival order.
    let at = this.#requests.length;
    while (at > 0 && (this.#requests[at - 1]?.index ?? -1) > rec.index) at--;
    this.#requests.splice(at, 0, rec);
    for (const waiter of this.#waiters) {
      if (this.#requests.length < waiter.n) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** Starts a target on loopback (port 0 by default) and resolves once it listens. */
export async function startHttpTarget(options: HttpTargetOptions = {}): Promise<HttpTarget> {
  const target = new Target(options);
  await target.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return target;
}
