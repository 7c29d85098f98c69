/**
 * A real SFTP server in the test process (ssh2's `Server` with an SFTPv3 subsystem over a
 * temporary directory) on 127.0.0.1, with faults that tests switch on to see how ferry copes
 * with cut downloads, silently short downloads, refused renames and files changing under it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Algorithms, AuthContext, AuthenticationType, Connection } from 'ssh2';
import { serveSftp } from './sftp-session.js';
import { generateClientKey, generateHostKey, type ClientKey } from './test-keys.js';

/**
 * Faults of a {@link SftpTestServer}; the object is live, so a test may change it at any time.
 * A "download" is an OPEN with the read flag; the byte counts start at that download's first READ.
 */
export interface SftpFaults {
  /** Next download: after n bytes, break the connection (its socket is destroyed). Cleared when taken. */
  cutReadAfterBytes?: number;
  /** Next download: after n bytes, answer READ with EOF, so the client sees a short file and no error. Cleared when taken. */
  endWithoutErrorAfterBytes?: number;
  /** Default false: SFTPv3 semantics, RENAME onto an existing path fails with FAILURE (4). */
  overwriteOnRename?: boolean;
  /** Default true: announce and serve `posix-rename@openssh.com` (which overwrites). Read when a session starts. */
  posixRename?: boolean;
  /** Answer PERMISSION_DENIED (3) to a RENAME or POSIX-RENAME for which this returns true (normalised client paths). */
  failRename?: (from: string, to: string) => boolean;
  /** Called (and awaited if it returns a promise) on OPEN of a file for reading, before it is opened. */
  beforeOpen?: (path: string) => void;
  /** Delay before answering each READ. */
  readDelayMs?: number;
  /** Answer every READ with at most this many bytes (a server with a small read size; not EOF). */
  maxReadBytes?: number;
  /** Random delay (0 to n ms) before each READ joins the queue, so that answers overtake each other (download faults count from the first READ answered). */
  readJitterMs?: number;
  /** Answer a READ that starts beyond the end of the file with FAILURE instead of EOF (a READ at the very end still gets EOF). */
  failReadBeyondEnd?: boolean;
}

/** A running {@link startSftpServer} server. */
export interface SftpTestServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Local directory the server shows as "/" (and as the home directory); removed by `close()`. */
  readonly root: string;
  /** `SHA256:<base64 without padding>` of the host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** A key the server accepts for `user`: OpenSSH format, encrypted with `passphrase`. */
  readonly clientKey: { privateKey: string; passphrase: string };
  readonly faults: SftpFaults;
  /**
   * Requests seen, in order: `USERAUTH password`, `OPEN /a.csv r`, `READ /a.csv @0` (first READ
   * of a handle only), `WRITE /x @0` (likewise), `CLOSE /a.csv`, `STAT /a`, `LSTAT /a`,
   * `OPENDIR /in`, `READDIR /in`, `REALPATH .`, `MKDIR /d`, `RMDIR /d`, `REMOVE /a`,
   * `RENAME /a /b`, `POSIX-RENAME /a /b`, `SETSTAT /a`, `EXTENDED <name>`, ...
   */
  readonly log: readonly string[];
  /** TCP connections currently open. */
  openConnections(): number;
  /** Disconnects every client and stops the server. */
  close(): Promise<void>;
}

/** Options of {@link startSftpServer}. */
export interface SftpServerOptions {
  /** Default ed25519; use rsa with `algorithms` to play an old server limited to `ssh-rsa`. */
  hostKeyType?: 'ed25519' | 'rsa';
  /** Passed to ssh2's server as is, e.g. `{ kex: ['diffie-hellman-group14-sha1'], serverHostKey: ['ssh-rsa'] }`. */
  algorithms?: Algorithms;
}

const USER = 'ferry';
const AUTH_METHODS: AuthenticationType[] = ['password', 'publickey'];
/** How long `close()` lets clients take the disconnect before their sockets are destroyed. */
const CLOSE_GRACE_MS = 200;

function authenticate(ctx: AuthContext, password: string, clientKey: ClientKey | undefined): void {
  if (ctx.username !== USER) {
    ctx.reject(AUTH_METHODS);
    return;
  }
  if (ctx.method === 'password') {
    if (ctx.password === password) ctx.accept();
    else ctx.reject(AUTH_METHODS);
    return;
  }
  if (ctx.method === 'publickey' && clientKey !== undefined && ctx.key.data.equals(clientKey.publicKey.getPublicSSH())) {
    // Without a signature the client only asks whether this key would do.
    if (ctx.signature === undefined) {
      ctx.accept();
      return;
    }
    if (ctx.blob !== undefined && clientKey.publicKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
      ctx.accept();
      return;
    }
  }
  ctx.reject(AUTH_METHODS);
}

function listen(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts an SFTP server on 127.0.0.1 (a free port) over a fresh temporary directory. */
export async function startSftpServer(options: SftpServerOptions = {}): Promise<SftpTestServer> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'ferry-sftp-')));
  const hostKey = generateHostKey(options.hostKeyType ?? 'ed25519');
  // Made on first use: encrypting it takes a noticeable time and most tests log in by password.
  let clientKey: ClientKey | undefined;
  const password = randomBytes(12).toString('base64url');
  const faults: SftpFaults = {};
  const log: string[] = [];
  const sockets = new Map<string, Socket>();
  const connections = new Set<Connection>();

  const ssh = new ssh2.Server({ hostKeys: [hostKey.privateKey], algorithms: options.algorithms }, (conn, info) => {
    const socket = sockets.get(`${info.ip}:${info.port}`);
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      log.push(`USERAUTH ${ctx.method}`);
      authenticate(ctx, password, clientKey);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => {
          serveSftp(acceptSftp(), {
            root,
            faults,
            log: (line) => log.push(line),
            cutConnection: () => {
              if (socket === undefined) conn.end();
              else socket.destroy();
            },
          });
        });
      });
    });
  });

  // Our own listener hands sockets to ssh2, so that a fault can break one at the TCP level.
  // noDelay: replies are many small packets, and Nagle plus delayed ACKs would stall each for 40 ms.
  const tcp = createServer({ noDelay: true }, (socket) => {
    const key = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    sockets.set(key, socket);
    socket.on('close', () => sockets.delete(key));
    socket.on('error', () => undefined);
    ssh.injectSocket(socket);
  });
  const port = await listen(tcp);

  let closing: Promise<void> | undefined;
  async function shutDown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => tcp.close(() => resolve()));
    const open = [...sockets.values()].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    for (const conn of connections) conn.end();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.all(open), grace]);
    clearTimeout(timer);
    for (const socket of sockets.values()) socket.destroy();
    await stopped;
    await rm(root, { recursive: true, force: true });
  }

  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    root,
    hostKeyFingerprint: hostKey.fingerprint,
    get clientKey() {
      clientKey ??= generateClientKey();
      return { privateKey: clientKey.privateKey, passphrase: clientKey.passphrase };
    },
    faults,
    log,
    openConnections: () => sockets.size,
    close: () => {
      closing ??= shutDown();
      return closing;
    },
  };
}
