import { connect as netConnect, type Socket } from 'node:net';

import ssh2 from 'ssh2';
import type { Algorithms, AnyAuthMethod, ConnectConfig, ParsedKey, SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';

import { FerryError, InputError } from '../../errors.js';
import { pinHostKey } from './host-key.js';
import { connectFailure, connectionLost, noteServerOffer, operationTimeout, redact, type ServerOffer } from './sftp-errors.js';

/** Everything needed to open one SFTP session. Secrets stay in here and in ssh2, never in messages. */
export interface SessionSettings {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly privateKey: string | undefined;
  readonly passphrase: string | undefined;
  readonly hostKey: string;
  /** the decrypted private key (see {@link privateKeyLoader}) */
  readonly key: () => ParsedKey | undefined;
  readonly algorithms: Algorithms | undefined;
  /** handshake, login and every short request */
  readonly timeoutMs: number;
  readonly keepaliveMs: number;
}

/** The values that must never show up in an error text. */
export function secretsOf(s: SessionSettings): string[] {
  return [s.password, s.passphrase, s.privateKey].filter((v): v is string => v !== undefined && v !== '');
}

/**
 * Decrypts the private key once, on first use, and keeps it for every later connection: given the
 * text and passphrase, ssh2 would run bcrypt again on each connect (synchronously, ~30 ms per
 * KDF round, so about half a second for ssh-keygen's default of 16 rounds).
 */
export function privateKeyLoader(label: string, privateKey: string | undefined, passphrase: string | undefined): () => ParsedKey | undefined {
  let key: ParsedKey | undefined;
  return () => {
    if (privateKey === undefined || key !== undefined) return key;
    const parsed: ParsedKey | ParsedKey[] | Error = ssh2.utils.parseKey(privateKey, passphrase);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    const secrets = [privateKey, passphrase ?? ''];
    if (first === undefined || first instanceof Error) {
      const why = first === undefined ? 'no key found' : redact(first.message, secrets);
      throw new InputError('E_REMOTE_AUTH', `${label}: the private key cannot be used (${why}); check privateKey and passphrase`);
    }
    if (!first.isPrivateKey()) throw new InputError('E_REMOTE_AUTH', `${label}: privateKey holds a public key, not a private one`);
    key = first;
    return key;
  };
}

function authMethods(s: SessionSettings): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = [];
  const key = s.key();
  if (key !== undefined) methods.push({ type: 'publickey', username: s.user, key });
  if (s.password !== undefined) methods.push({ type: 'password', username: s.user, password: s.password });
  if (methods.length === 0) methods.push({ type: 'none', username: s.user });
  return methods;
}

/**
 * One SSH connection with its SFTP channel. Whatever goes wrong on the socket, the SSH client or
 * the SFTP channel marks the session broken (it is then discarded by the pool) and fails the
 * operations waiting on it; nothing is left to surface as an unhandled 'error' event.
 */
export class SftpSession {
  /** whether posix-rename@openssh.com works here; undefined until tried */
  posixRename: boolean | undefined;
  private brokenBy: Error | undefined;
  private closing = false;
  private readonly watchers = new Set<(err: Error) => void>();

  constructor(
    readonly label: string,
    readonly client: SftpClient,
    readonly sftp: SFTPWrapper,
    private readonly socket: Socket,
  ) {}

  /** why the session is unusable, or undefined while it works */
  get broken(): Error | undefined {
    return this.brokenBy;
  }

  /** Ends the session for good and tells everyone waiting on it. */
  markBroken(err: Error): void {
    if (this.brokenBy !== undefined) return;
    this.brokenBy = err;
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) w(err);
    this.socket.destroy();
  }

  /** Calls `cb` when the session breaks; returns the function that stops watching. */
  onBroken(cb: (err: Error) => void): () => void {
    this.watchers.add(cb);
    return () => {
      this.watchers.delete(cb);
    };
  }

  /**
   * Runs one request; it fails when the connection breaks, when no answer comes within
   * `timeoutMs` (0: no limit) or when `signal` aborts. A timeout or an abort drops the session,
   * because a late answer must not meet the next request on the same client.
   */
  run<T>(action: string, timeoutMs: number, op: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.brokenBy !== undefined) return Promise.reject(connectionLost(this.label, this.brokenBy.message, this.brokenBy));
    signal?.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        stopWatching();
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const timer = timeoutMs > 0
        ? setTimeout(() => {
          const err = operationTimeout(this.label, action, timeoutMs);
          finish(() => reject(err));
          this.markBroken(err);
        }, timeoutMs)
        : undefined;
      const stopWatching = this.onBroken((err) => finish(() => reject(connectionLost(this.label, err.message, err))));
      const onAbort = (): void => {
        finish(() => reject(signal?.reason));
        this.markBroken(Object.assign(new Error(`${action} was aborted`), { name: 'AbortError' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      op().then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
    });
  }

  /** Closes the session politely, then for sure. */
  async end(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.brokenBy === undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.client.end().catch(() => undefined),
        new Promise<void>((ok) => {
          timer = setTimeout(ok, 2000);
        }),
      ]);
      clearTimeout(timer);
    }
    this.markBroken(new Error('the connection was closed'));
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, onExpire: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(onExpire()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Opens an SSH connection on a socket of our own (so that Nagle is off: stream transfers are
 * ~30x slower with it on) and starts the SFTP subsystem. The host key is checked against the pin
 * during key exchange, before any credentials are sent.
 */
export async function openSftpSession(s: SessionSettings): Promise<SftpSession> {
  try {
    return await connectOnce(s, false);
  } catch (err) {
    // ssh2 names the category without a common algorithm but not what the server offered; only
    // its debug output shows that, and debug output left on halves transfer speed. So a failed
    // negotiation is tried once more with it on, to tell the admin what to allow.
    const cause: unknown = err instanceof FerryError ? err.cause : undefined;
    const level: unknown = typeof cause === 'object' && cause !== null ? (cause as { level?: unknown }).level : undefined;
    if (err instanceof FerryError && err.code === 'E_SSH_ALGORITHMS' && level === 'handshake') return connectOnce(s, true);
    throw err;
  }
}

async function connectOnce(s: SessionSettings, captureOffer: boolean): Promise<SftpSession> {
  const authHandler = authMethods(s);
  const pin = pinHostKey(s.hostKey);
  const offer: ServerOffer = {};
  let handshakeDone = false;
  let firstError: Error | undefined;
  let session: SftpSession | undefined;
  const onError = (err: unknown): void => {
    const e = err instanceof Error ? err : new Error(String(err));
    if (session !== undefined) session.markBroken(e);
    else firstError ??= e;
  };
  const onGone = (what: string) => (): void => {
    session?.markBroken(new Error(what));
  };

  const socket = netConnect({ host: s.host, port: s.port });
  socket.setNoDelay(true);
  socket.on('error', onError);
  socket.on('close', onGone('the connection was closed'));

  const client = new SftpClient(s.label, { error: onError, end: onGone('the server ended the connection'), close: onGone('the connection was closed') });
  client.on('error', onError);
  client.on('end', onGone('the server ended the connection'));
  client.on('close', onGone('the connection was closed'));
  client.on('handshake', () => {
    handshakeDone = true;
  });

  const config: ConnectConfig = {
    sock: socket,
    host: s.host,
    port: s.port,
    username: s.user,
    authHandler,
    hostVerifier: (key: Buffer): boolean => pin.verify(key),
    readyTimeout: s.timeoutMs,
    keepaliveInterval: s.keepaliveMs,
    keepaliveCountMax: 3,
    algorithms: s.algorithms,
    debug: captureOffer
      ? (line: string): void => {
        if (!handshakeDone) noteServerOffer(offer, line);
      }
      : undefined,
  };
  try {
    const connecting = client.connect(config);
    // ssh2's readyTimeout ends at login; the SFTP subsystem may still not start
    const sftp = s.timeoutMs > 0
      ? await withDeadline(connecting, s.timeoutMs + 1000, () => new Error('Timed out while starting SFTP'))
      : await connecting;
    sftp.on('error', onError);
    sftp.on('end', onGone('the server ended the SFTP channel'));
    sftp.on('close', onGone('the SFTP channel was closed'));
    session = new SftpSession(s.label, client, sftp, socket);
    if (firstError !== undefined || socket.destroyed) session.markBroken(firstError ?? new Error('the connection was closed'));
    return session;
  } catch (err) {
    socket.destroy();
    const cause = firstError ?? err;
    const timedOut = cause instanceof Error && cause.message === 'Timed out while starting SFTP';
    throw connectFailure({ label: s.label, pin, offer, secrets: secretsOf(s) }, timedOut ? Object.assign(cause, { level: 'client-timeout' }) : cause);
  }
}
