import { validateHeaderName, validateHeaderValue } from 'node:http';

import { InputError, TransientError } from '../../errors.js';
import type { HttpTarget } from '../../profiles/schema.js';
import { isRetryableStatus } from './retry-policy.js';
import { exchange, type Agents, type HttpAnswer, type Timeouts } from './request.js';
import { untilAborted } from './sleep.js';

type AuthSpec = NonNullable<HttpTarget['auth']>;
type OAuth2Spec = Extract<AuthSpec, { type: 'oauth2' }>;

/** The credentials of a target, as request headers. */
export interface TargetAuth {
  /** Whether a 401/403 may be cured by fetching a new credential (one more try). */
  readonly renewable: boolean;
  /** The headers that authenticate one request (none without `target.auth`). */
  headers(profile: string, signal: AbortSignal): Promise<Record<string, string>>;
  /** Forgets the credential that `used` carried, so that the next call fetches a new one. */
  renew(used: Readonly<Record<string, string>>): void;
  /** Stops a token request in progress. */
  close(): void;
}

/** What the OAuth2 client needs besides its settings. */
export interface AuthDeps {
  readonly agents: Agents;
  readonly timeouts: Timeouts;
  /** wall clock, epoch milliseconds */
  readonly now: () => number;
}

/** Credentials for `target.auth`; the OAuth2 kind fetches, caches and renews an access token. */
export function createTargetAuth(spec: AuthSpec | undefined, deps: AuthDeps): TargetAuth {
  if (spec === undefined) return fixed({});
  switch (spec.type) {
    case 'bearer':
      return fixed({ authorization: `Bearer ${spec.token}` });
    case 'basic':
      return fixed({ authorization: `Basic ${Buffer.from(`${spec.user}:${spec.password}`, 'utf8').toString('base64')}` });
    case 'header':
      return fixed({ [spec.name.toLowerCase()]: spec.value });
    case 'oauth2':
      return new OAuth2ClientCredentials(spec, deps);
  }
}

function fixed(headers: Record<string, string>): TargetAuth {
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      // never quote the value: it is a credential
      throw new InputError('E_PROFILE_INVALID', `target.auth: the credential cannot be sent in an HTTP header "${name}" (it holds a line break or another character a header cannot carry)`);
    }
  }
  return { renewable: false, headers: () => Promise.resolve(headers), renew: () => undefined, close: () => undefined };
}

interface CachedToken {
  readonly token: string;
  /** epoch ms after which the token is fetched again; Infinity when the server gave no lifetime */
  readonly renewAt: number;
}

/** Renew this long before expiry (at most a minute, at most a tenth of the lifetime). */
const renewMarginMs = (lifetimeMs: number): number => Math.min(60_000, lifetimeMs / 10);

/** The OAuth2 client-credentials grant (RFC 6749 §4.4), one token shared by every request of the sink. */
class OAuth2ClientCredentials implements TargetAuth {
  readonly renewable = true;
  readonly #spec: OAuth2Spec;
  readonly #deps: AuthDeps;
  readonly #closed = new AbortController();
  readonly #url: URL;
  #cached: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** RFC 6749 §2.3.1 prefers HTTP Basic; some servers only read the form, so fall back once. */
  #clientAuth: 'basic' | 'form' = 'basic';

  constructor(spec: OAuth2Spec, deps: AuthDeps) {
    this.#spec = spec;
    this.#deps = deps;
    this.#url = new URL(spec.tokenUrl);
  }

  async headers(profile: string, signal: AbortSignal): Promise<Record<string, string>> {
    const cached = this.#cached;
    if (cached !== undefined && this.#deps.now() < cached.renewAt) return { authorization: `Bearer ${cached.token}` };
    this.#pending ??= this.#fetch(profile).finally(() => {
      this.#pending = undefined;
    });
    const fresh = await untilAborted(this.#pending, signal);
    return { authorization: `Bearer ${fresh.token}` };
  }

  renew(used: Readonly<Record<string, string>>): void {
    if (this.#cached !== undefined && used['authorization'] === `Bearer ${this.#cached.token}`) this.#cached = undefined;
  }

  close(): void {
    this.#closed.abort(new Error('the sink was closed'));
  }

  async #fetch(profile: string): Promise<CachedToken> {
    let answer = await this.#request(this.#clientAuth);
    if (this.#clientAuth === 'basic' && (answer.status === 400 || answer.status === 401)) {
      const retried = await this.#request('form');
      if (retried.status >= 200 && retried.status < 300) this.#clientAuth = 'form';
      answer = retried.status >= 200 && retried.status < 300 ? retried : answer;
    }
    const where = `the token endpoint ${this.#url.origin}${this.#url.pathname}`;
    const code = oauthError(answer);
    const status = code === undefined ? String(answer.status) : `${answer.status} ${code}`;
    if (answer.status >= 300 && answer.status < 400) {
      throw new InputError('E_TARGET_REDIRECT', `${where} answered with a redirect (${answer.status}), which ferry does not follow: check target.auth.tokenUrl of profile ${profile}`);
    }
    if (isRetryableStatus(answer.status)) throw new TransientError('E_TARGET_UNAVAILABLE', `${where} answered ${status}`);
    if (answer.status < 200 || answer.status >= 300) {
      throw new InputError('E_TARGET_AUTH', `${where} refused our client credentials (${status}): check target.auth of profile ${profile}`);
    }
    const body = parseJson(answer.body);
    const token = field(body, 'access_token');
    if (typeof token !== 'string' || token === '') {
      throw new InputError('E_TARGET_AUTH', `${where} answered ${answer.status} without an access_token: check target.auth.tokenUrl of profile ${profile}`);
    }
    const expiresIn = Number(field(body, 'expires_in'));
    const lifetimeMs = expiresIn * 1000;
    // Without a lifetime the token is kept until the target refuses it.
    const renewAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? this.#deps.now() + lifetimeMs - renewMarginMs(lifetimeMs) : Number.POSITIVE_INFINITY;
    const cached = { token, renewAt };
    this.#cached = cached;
    return cached;
  }

  #request(clientAuth: 'basic' | 'form'): Promise<HttpAnswer> {
    const spec = this.#spec;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (spec.scope !== undefined) form.set('scope', spec.scope);
    if (spec.audience !== undefined) form.set('audience', spec.audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (clientAuth === 'basic') {
      const pair = `${formEncode(spec.clientId)}:${formEncode(spec.clientSecret)}`;
      headers['authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    } else {
      form.set('client_id', spec.clientId);
      form.set('client_secret', spec.clientSecret);
    }
    const body = Buffer.from(form.toString(), 'utf8');
    headers['content-length'] = String(body.length);
    return exchange({
      url: this.#url,
      method: 'POST',
      headers,
      body,
      timeouts: this.#deps.timeouts,
      agents: this.#deps.agents,
      signal: this.#closed.signal,
    });
  }
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks before Basic encoding. */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/** The `error` code of an OAuth error answer (never its description, which may echo what we sent). */
function oauthError(answer: HttpAnswer): string | undefined {
  const code = field(parseJson(answer.body), 'error');
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
}
