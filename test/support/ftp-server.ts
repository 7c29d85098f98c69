/**
 * An in-process FTP / FTPS server (ftp-srv) on 127.0.0.1 serving a temporary folder, for tests that
 * need faults a real server will not produce on demand: cut transfers, refused renames, files that
 * change between LIST and RETR, and a PASV reply that announces a foreign address.
 *
 * ftp-srv 4.6 has no MLSD/MLST: clients fall back to LIST, whose lines carry `MMM DD HH:mm` (no
 * year, no seconds) for files younger than six months. MDTM and SIZE are there, and EPSV.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtpSrv, type FtpServerOptions } from 'ftp-srv';
import { createSelfSignedCert, type SelfSignedCert } from '../../scripts/test-servers/self-signed-cert.js';
import { fixAuthTlsRace } from './ftp-auth-tls.js';
import { FaultInjectingFs, type FtpFaults } from './ftp-fault-fs.js';
import { unrefPassiveTimers } from './ftp-passive-timer.js';

export type { FtpFaults } from './ftp-fault-fs.js';

declare module 'ftp-srv' {
  // Present at run time (src/index.js) but missing from ftp-srv's typings.
  interface FtpServer {
    readonly server: Server;
    readonly connections: Record<string, FtpConnection>;
  }
}

/** A running test FTP server. */
export interface FtpTestServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Local folder the server shows as `/`. */
  readonly root: string;
  readonly tls: 'none' | 'explicit' | 'implicit';
  /** The self-signed certificate (PEM) when `tls` is not `none`: pass as `ca` to trust it. */
  readonly certPem?: string;
  /** SHA-256 fingerprint of `certPem` as Node prints it (`AB:CD:…`). */
  readonly certFingerprint?: string;
  /** Live: change between calls. */
  readonly faults: FtpFaults;
  /** Commands received (`USER ferry`, `PASS ********`, `RETR a.csv`, …) and faults fired (`FAULT …`). */
  readonly log: readonly string[];
  /** Control connections open now. */
  openConnections(): number;
  /** Drops every client and stops listening; removes `root`. */
  close(): Promise<void>;
}

/** Options of {@link startFtpServer}. */
export interface FtpTestServerOptions {
  /** `explicit`: AUTH TLS on a plain port; `implicit`: TLS from the first byte. Default `none`. */
  tls?: 'none' | 'explicit' | 'implicit';
  /**
   * Address announced in the 227 reply to PASV instead of 127.0.0.1; the data port still listens on
   * 127.0.0.1 only. A client that connects to the announced address fails, so pick one that
   * fails safely here (`127.0.0.2` is refused at once); never connect to a private or public one.
   */
  pasvAddress?: string;
  /**
   * Whether EPSV is offered. Default true, but false when `pasvAddress` is set: EPSV replies carry no
   * address, so a client would never see the announced one.
   */
  epsv?: boolean;
}

/** The subset of a bunyan logger ftp-srv calls. */
interface FtpSrvLogger {
  child(fields: object): FtpSrvLogger;
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

/** ftp-srv 4.6's typings say `pasv_url` is a string; its PASV handler also takes a function. */
type ServerOptions = Omit<FtpServerOptions, 'pasv_url'> & { pasv_url: string | ((clientIp: string) => string) };

const USER = 'ferry';

let certificate: Promise<SelfSignedCert> | undefined;

/** One certificate per test process: issuing one takes openssl a noticeable moment. */
function testCertificate(): Promise<SelfSignedCert> {
  certificate ??= createSelfSignedCert();
  return certificate;
}

function commandText(fields: unknown): string | undefined {
  if (typeof fields !== 'object' || fields === null || !('command' in fields)) return undefined;
  const command: unknown = fields.command;
  if (typeof command !== 'object' || command === null || !('directive' in command)) return undefined;
  const arg = 'arg' in command && typeof command.arg === 'string' ? ` ${command.arg}` : '';
  return `${String(command.directive)}${arg}`;
}

/**
 * Silences ftp-srv (it logs everything through bunyan to stdout) and records the commands it
 * handles: ftp-srv traces each one, password already masked, as `{ command }` / 'Handle command'.
 */
function recordingLogger(log: string[]): FtpSrvLogger {
  const ignore = (): void => undefined;
  const logger: FtpSrvLogger = {
    child: () => logger,
    trace: (fields: unknown, message?: unknown) => {
      const text = message === 'Handle command' ? commandText(fields) : undefined;
      if (text !== undefined) log.push(text);
    },
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
  };
  return logger;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/**
 * ftp-srv's constructor hooks SIGTERM, SIGINT and SIGQUIT to close and `process.exit(0)`, once per
 * server: that would turn an interrupted test run into a success and leak listeners. Undo it.
 */
function withoutSignalHooks<T>(create: () => T): T {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const created = create();
  for (const signal of SIGNALS) {
    const known = before.get(signal);
    for (const listener of process.listeners(signal)) {
      if (known?.has(listener) !== true) process.removeListener(signal, listener);
    }
  }
  return created;
}

/** Starts an FTP server on 127.0.0.1 on a free port with one user and an empty root folder. */
export async function startFtpServer(options: FtpTestServerOptions = {}): Promise<FtpTestServer> {
  const tls = options.tls ?? 'none';
  const host = '127.0.0.1';
  const cert = tls === 'none' ? undefined : await testCertificate();
  const root = await mkdtemp(join(tmpdir(), 'ferry-ftp-'));
  const password = randomBytes(12).toString('base64url');
  const faults: FtpFaults = {};
  const log: string[] = [];
  const { pasvAddress } = options;
  const epsv = options.epsv ?? pasvAddress === undefined;

  const serverOptions: ServerOptions = {
    url: `${tls === 'implicit' ? 'ftps' : 'ftp'}://${host}:0`,
    // A string is replaced by the client's address for local clients; a function is not.
    pasv_url: pasvAddress === undefined ? host : () => pasvAddress,
    // 0..0 makes every passive listener take a free port from the OS, so parallel servers never race.
    pasv_min: 0,
    pasv_max: 0,
    anonymous: false,
    greeting: 'ferry test FTP server',
    tls: cert === undefined ? false : { key: cert.keyPem, cert: cert.certPem },
    blacklist: epsv ? [] : ['EPSV'],
    log: recordingLogger(log),
  };
  unrefPassiveTimers();
  fixAuthTlsRace();
  const server = withoutSignalHooks(() => new FtpSrv(serverOptions as FtpServerOptions));
  // ftp-srv's own version arms a 1 s timer per disconnect that nothing clears, delaying exit.
  server.disconnectClient = async (id: string) => {
    const connection = server.connections[id];
    if (connection === undefined) return;
    delete server.connections[id];
    // Code 0 sends no reply, just drops the socket (ftp-srv's typings call the message a number).
    await connection.close(0, 0);
  };

  server.on('login', ({ connection, username, password: given }, resolve, reject) => {
    if (username === USER && given === password) {
      resolve({ fs: new FaultInjectingFs(connection, root, faults, log) });
    } else {
      reject(new Error('Login incorrect'));
    }
  });
  // Socket errors (a client that vanished, a cut transfer) are part of the tests, not failures.
  server.on('client-error', () => undefined);

  try {
    await server.listen();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('ftp-srv is not listening on TCP');

  return {
    host,
    port: address.port,
    user: USER,
    password,
    root,
    tls,
    certPem: cert?.certPem,
    certFingerprint: cert?.fingerprint256,
    faults,
    log,
    openConnections: () => Object.keys(server.connections).length,
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
