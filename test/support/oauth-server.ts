/**
 * A real OAuth2 token endpoint (client-credentials grant, RFC 6749 §4.4) on loopback, for testing
 * ferry's `auth: { type: oauth2 }` targets, together with the test target's `requireBearer`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendJson, splitTarget } from '../../scripts/lib/record-server.js';

/** Options of {@link startOAuthServer}. */
export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of an issued token in seconds, reported as `expires_in` and enforced by `isValid` (default 3600). */
  expiresIn?: number;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** One call to the token endpoint. */
export interface TokenRequest {
  readonly path: string;
  /** The form fields sent (client_secret included, as sent). */
  readonly form: URLSearchParams;
  /** How the client authenticated. */
  readonly clientAuth: 'basic' | 'form' | 'none';
  /** `issued` or the OAuth error code returned. */
  readonly outcome: string;
}

/** A running token endpoint. */
export interface OAuthServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The token endpoint: `<url>/oauth/token`. */
  readonly tokenUrl: string;
  /** Every access token issued, oldest first. */
  readonly issuedTokens: readonly string[];
  /** How many tokens were issued. */
  readonly tokensIssued: number;
  /** Every call to the server, in order. */
  readonly requests: readonly TokenRequest[];
  /** Whether `token` was issued here, has not expired and has not been revoked: pass to `requireBearer`. */
  isValid(token: string): boolean;
  /** Makes every token issued so far invalid, as an authorisation server that rotated its keys would. */
  revokeAll(): void;
  close(): Promise<void>;
}

interface Credentials {
  readonly id: string | undefined;
  readonly secret: string | undefined;
  readonly via: TokenRequest['clientAuth'];
}

const TOKEN_PATH = '/oauth/token';

/** Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1), so decode them as such. */
function decodeFormComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function clientCredentials(authorization: string | undefined, form: URLSearchParams): Credentials {
  const basic = authorization === undefined ? null : /^Basic[ \t]+(\S+)\s*$/i.exec(authorization);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { id: undefined, secret: undefined, via: 'basic' };
    return {
      id: decodeFormComponent(decoded.slice(0, colon)),
      secret: decodeFormComponent(decoded.slice(colon + 1)),
      via: 'basic',
    };
  }
  const id = form.get('client_id') ?? undefined;
  const secret = form.get('client_secret') ?? undefined;
  return { id, secret, via: id === undefined ? 'none' : 'form' };
}

/** Starts a client-credentials token endpoint on loopback and resolves once it listens. */
export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const expiresIn = options.expiresIn ?? 3600;
  const expiries = new Map<string, number>();
  const issuedTokens: string[] = [];
  const requests: TokenRequest[] = [];

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { path } = splitTarget(req.url ?? '/');
    const { body } = await readBody(req);
    const form = new URLSearchParams(body.toString('utf8'));
    const credentials = clientCredentials(req.headers.authorization, form);
    const fail = (status: number, error: string, headers: Record<string, string> = {}): void => {
      requests.push({ path, form, clientAuth: credentials.via, outcome: error });
      sendJson(res, status, { error }, { 'cache-control': 'no-store', ...headers });
    };
    if (path !== TOKEN_PATH) return fail(404, 'not_found');
    if (req.method !== 'POST') return fail(405, 'invalid_request', { allow: 'POST' });
    if (credentials.id !== options.clientId || credentials.secret !== options.clientSecret) {
      return fail(401, 'invalid_client', credentials.via === 'basic' ? { 'www-authenticate': 'Basic realm="ferry-test"' } : {});
    }
    const grant = form.get('grant_type');
    if (grant === null) return fail(400, 'invalid_request');
    if (grant !== 'client_credentials') return fail(400, 'unsupported_grant_type');

    const token = randomBytes(24).toString('base64url');
    expiries.set(token, Date.now() + expiresIn * 1000);
    issuedTokens.push(token);
    requests.push({ path, form, clientAuth: credentials.via, outcome: 'issued' });
    const scope = form.get('scope');
    sendJson(
      res,
      200,
      { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope === null ? {} : { scope }) },
      { 'cache-control': 'no-store', pragma: 'no-cache' },
    );
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${typeof address === 'object' && address !== null ? address.port : 0}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    tokenUrl: `${url}${TOKEN_PATH}`,
    issuedTokens,
    get tokensIssued() {
      return issuedTokens.length;
    },
    requests,
    isValid: (token) => (expiries.get(token) ?? 0) > Date.now(),
    revokeAll: () => expiries.clear(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
