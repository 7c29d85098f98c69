/**
 * ftp-srv 4.6 arms a 30 s timer for every PASV/EPSV listener, cleared only when a data connection
 * arrives. A client that never connects (one that refuses the PASV address, or is dropped by a
 * test) leaves that timer running, and the test process lingers 30 s after its last test. This
 * swaps in `PassiveConnector#setupServer` as ftp-srv 4.6.3 writes it (src/connector/passive.js),
 * with the timer unref'd and cleared when the listener closes.
 */
import { createRequire } from 'node:module';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

interface DataSocket extends Socket {
  connected?: boolean;
}

interface PassiveConnector {
  readonly connection: {
    readonly commandSocket: Socket;
    readonly secure: boolean;
    reply(code: number, message: string): PromiseLike<unknown>;
    close(): PromiseLike<unknown>;
  };
  readonly server: {
    readonly options: { readonly tls: TlsOptions | false };
    readonly url: { readonly hostname: string };
    getNextPasvPort(): PromiseLike<number>;
    emit(event: string, data: object): boolean;
  } | null;
  dataServer: Server | null;
  dataSocket: DataSocket | null;
  closeServer(): void;
  end(): void;
}

const CONNECT_TIMEOUT_MS = 30_000;

function sameAddress(a: string | undefined, b: string | undefined): boolean {
  const plain = (address: string | undefined): string | undefined => address?.replace(/^::ffff:/i, '');
  return plain(a) === plain(b);
}

async function setupServer(this: PassiveConnector): Promise<Server> {
  this.closeServer();
  const { server, connection } = this;
  if (server === null) throw new Error('ftp-srv connection has no server');
  const port = await server.getNextPasvPort();
  this.dataSocket = null;
  let idle: NodeJS.Timeout | undefined;

  const onConnection = (socket: DataSocket): void => {
    if (!sameAddress(connection.commandSocket.remoteAddress, socket.remoteAddress)) {
      socket.destroy();
      void Promise.resolve(connection.reply(550, 'Remote addresses do not match')).then(() => connection.close());
      return;
    }
    clearTimeout(idle);
    this.dataSocket = socket;
    socket.on('error', (error) => this.server?.emit('client-error', { connection, context: 'dataSocket', error }));
    socket.once('close', () => this.closeServer());
    if (!connection.secure) socket.connected = true;
  };

  const options = { ...(connection.secure && server.options.tls !== false ? server.options.tls : {}), pauseOnConnect: true };
  const dataServer = connection.secure ? createTlsServer(options, onConnection) : createTcpServer(options, onConnection);
  this.dataServer = dataServer;
  dataServer.maxConnections = 1;
  dataServer.on('error', (error) => this.server?.emit('client-error', { connection, context: 'dataServer', error }));
  dataServer.once('close', () => {
    clearTimeout(idle);
    this.end();
  });
  if (connection.secure) {
    dataServer.on('secureConnection', (socket: DataSocket) => {
      socket.connected = true;
    });
  }

  await new Promise<void>((resolve, reject) => {
    dataServer.once('error', reject);
    dataServer.listen(port, server.url.hostname, () => {
      dataServer.removeListener('error', reject);
      idle = setTimeout(() => this.closeServer(), CONNECT_TIMEOUT_MS).unref();
      resolve();
    });
  });
  return dataServer;
}

let patched = false;

/** Installs the replacement once per process; leaves ftp-srv alone if its layout is not the expected one. */
export function unrefPassiveTimers(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const passive: unknown = require('ftp-srv/src/connector/passive.js');
  if (typeof passive !== 'function' || !('prototype' in passive)) return;
  const prototype: unknown = passive.prototype;
  if (typeof prototype !== 'object' || prototype === null || !('setupServer' in prototype)) return;
  Object.defineProperty(prototype, 'setupServer', { value: setupServer, writable: true, configurable: true });
}
