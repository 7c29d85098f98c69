import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

import { TransientError } from '../../errors.js';
import { durationMs } from '../../profiles/schema-helpers.js';
import type { HttpTarget } from '../../profiles/schema.js';

/** How long each phase of one exchange may take. */
export interface Timeouts {
  /** until the TCP connection stands (a reused keep-alive connection skips this) */
  readonly connectMs: number;
  /** until the response headers arrive, counted from the connection and again once the body is sent */
  readonly headersMs: number;
  /** until the response body is complete, counted from its headers */
  readonly bodyMs: number;
}

/** Defaults of `target.timeout`. */
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 };

/**
 * The timeouts of a target. A single duration bounds the wait for headers and the wait for the
 * body, each; the connect timeout keeps its default unless the single duration is shorter.
 */
export function timeoutsOf(target: HttpTarget): Timeouts {
  const t = target.timeout;
  if (t === undefined) return DEFAULT_TIMEOUTS;
  if (typeof t === 'string' || typeof t === 'number') {
    const ms = durationMs(t);
    return { connectMs: Math.min(DEFAULT_TIMEOUTS.connectMs, ms), headersMs: ms, bodyMs: ms };
  }
  return {
    connectMs: t.connect === undefined ? DEFAULT_TIMEOUTS.connectMs : durationMs(t.connect),
    headersMs: t.headers === undefined ? DEFAULT_TIMEOUTS.headersMs : durationMs(t.headers),
    bodyMs: t.body === undefined ? DEFAULT_TIMEOUTS.bodyMs : durationMs(t.body),
  };
}

/** Keep-alive agents for http: and https: URLs, made on first use. */
export class Agents {
  #http: HttpAgent | undefined;
  #https: HttpsAgent | undefined;

  for(url: URL): HttpAgent {
    if (url.protocol === 'https:') return (this.#https ??= new HttpsAgent({ keepAlive: true }));
    return (this.#http ??= new HttpAgent({ keepAlive: true }));
  }

  /** Closes every connection, idle or not. */
  destroy(): void {
    this.#http?.destroy();
    this.#https?.destroy();
  }
}

/** One request to send. */
export interface Exchange {
  readonly url: URL;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly timeouts: Timeouts;
  readonly agents: Agents;
  readonly signal: AbortSignal;
}

/** A complete answer, whatever its status. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** `1.5 s`, `200 ms`: durations as they appear in messages. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

const NETWORK_MESSAGES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset before a complete answer',
  EPIPE: 'the connection was closed while sending',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be resolved (temporary DNS failure)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/** A network failure as a retryable error; Node's messages name host and port, never headers. */
function networkError(error: unknown): TransientError {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as NodeJS.ErrnoException).code;
  const known = code === undefined ? undefined : NETWORK_MESSAGES[code];
  const text = known ?? (err.message === '' ? 'the connection failed' : err.message);
  return new TransientError('E_TARGET_UNAVAILABLE', code === undefined || text.includes(code) ? text : `${text} (${code})`, { cause: err });
}

/**
 * Sends one request and reads the whole answer. Redirects are not followed. Rejects with a
 * TransientError for network failures (E_TARGET_UNAVAILABLE) and timeouts (E_TARGET_TIMEOUT),
 * after destroying the socket, or with the signal's reason when it aborts.
 */
export function exchange(x: Exchange): Promise<HttpAnswer> {
  const { signal, timeouts } = x;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<HttpAnswer>((resolve, reject) => {
    const send = x.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(x.url, { method: x.method, headers: x.headers, agent: x.agents.for(x.url) });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let answered = false;

    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!finish()) return;
      request.destroy();
      reject(signal.aborted ? signal.reason : error);
    };
    const arm = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new TransientError('E_TARGET_TIMEOUT', `timed out: ${what} within ${formatMs(ms)}`)), ms);
    };
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    arm(timeouts.connectMs, 'no connection');
    request.on('socket', (socket: Socket) => {
      socket.setNoDelay(true);
      if (!socket.connecting) arm(timeouts.headersMs, 'no response headers');
      else socket.once('connect', () => {
        if (!answered && !settled) arm(timeouts.headersMs, 'no response headers');
      });
    });
    // A large body may take a while to upload: the wait for headers starts again once it is sent.
    request.on('finish', () => {
      if (!answered && !settled) arm(timeouts.headersMs, 'no response headers');
    });
    request.on('error', (error) => fail(networkError(error)));
    request.on('response', (response) => {
      answered = true;
      arm(timeouts.bodyMs, 'no complete response body');
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => fail(networkError(error)));
      response.on('close', () => {
        if (!response.complete) fail(new TransientError('E_TARGET_UNAVAILABLE', 'the connection closed before the whole answer arrived'));
      });
      response.on('end', () => {
        if (!finish()) return;
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks),
        });
      });
    });
    request.end(x.body);
  });
}
