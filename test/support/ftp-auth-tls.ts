/**
 * ftp-srv 4.6's AUTH TLS handler (src/commands/registration/auth.js) writes `234` and wraps the
 * control socket in TLS only after that write has completed and a bluebird hop (a setImmediate)
 * has passed. A client in another process starts its handshake as soon as it reads 234, so its
 * ClientHello can arrive in between: the still-plain socket hands it to the command parser, ftp-srv
 * answers `502 Command not allowed` in clear, and the client fails with "wrong version number"
 * (about one FTPS `ferry run` in six, one connect in three in a loop). Real servers switch to TLS
 * before they read again; this does the same by pausing the socket before the reply, so that the
 * ClientHello waits in the socket's buffer, where Node's TLSSocket picks it up when it wraps it,
 * and by feeding ftp-srv's command parser from the TLS socket only.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContextOptions } from 'node:tls';

interface FtpSrvConnection {
  commandSocket: Socket;
  secure: boolean;
  readonly server: { readonly options: { readonly tls: SecureContextOptions | false } };
  reply(code: number): PromiseLike<unknown>;
}

/** Events other than 'data' that ftp-srv listens to on the control socket, passed on as ftp-srv does. */
const FORWARDED = ['timeout', 'end', 'close', 'drain', 'error'] as const;

async function handleAuthTls(this: FtpSrvConnection): Promise<unknown> {
  const { tls } = this.server.options;
  if (tls === false) return this.reply(502);
  if (this.secure) return this.reply(202);
  const plain = this.commandSocket;
  // Keep what arrives after 234 (the ClientHello) buffered, and away from the command parser: the
  // TLS socket takes the buffer over with `read()`, which would also emit it as 'data'.
  plain.pause();
  const parsers = plain.listeners('data');
  plain.removeAllListeners('data');
  await this.reply(234);
  const secure = new TLSSocket(plain, { isServer: true, secureContext: createSecureContext(tls) });
  secure.on('data', (chunk: Buffer) => {
    for (const parse of parsers) Reflect.apply(parse, plain, [chunk]);
  });
  for (const event of FORWARDED) {
    secure.on(event, (...args: unknown[]) => plain.emit(event, ...args));
  }
  this.commandSocket = secure;
  this.secure = true;
  return undefined;
}

function handlerArgument(command: unknown): string | undefined {
  if (typeof command !== 'object' || command === null || !('command' in command)) return undefined;
  const inner: unknown = command.command;
  if (typeof inner !== 'object' || inner === null || !('arg' in inner)) return undefined;
  return typeof inner.arg === 'string' ? inner.arg : undefined;
}

let patched = false;

/** Installs the race-free AUTH TLS once per process; leaves ftp-srv alone if its layout is not the expected one. */
export function fixAuthTlsRace(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const registry: unknown = require('ftp-srv/src/commands/registry.js');
  if (typeof registry !== 'object' || registry === null || !('AUTH' in registry)) return;
  const auth: unknown = registry.AUTH;
  if (typeof auth !== 'object' || auth === null || !('handler' in auth) || typeof auth.handler !== 'function') return;
  const original = auth.handler;
  Object.defineProperty(auth, 'handler', {
    value: function handler(this: FtpSrvConnection, command: unknown): unknown {
      // Other mechanisms (AUTH SSL, …) keep ftp-srv's own answer.
      if (handlerArgument(command)?.trim().toUpperCase() !== 'TLS') return Reflect.apply(original, this, [command]);
      return handleAuthTls.call(this);
    },
    writable: true,
    configurable: true,
  });
}
