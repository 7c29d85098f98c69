/**
 * A scripted raw FTP server on `net` for what ftp-srv will not do (test plan B27–B32): listings
 * with hostile names, a PASV reply naming a foreign address, a RETR that never ends. It logs every
 * command line it receives and the peer of every data connection, so a test can assert that no
 * injected command was ever sent and that nothing connected anywhere but loopback.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';

/** What the scripted server holds and how it misbehaves. */
export interface ScriptedFtpOptions {
  /** Files by absolute path; folders exist implicitly above them and once created with MKD. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** A raw LIST body for a folder, sent instead of the generated one (hostile names, endless listings). */
  readonly listing?: (dir: string) => string | Readable | undefined;
  /** The address announced in the 227 reply (default 127.0.0.1); data always listens on loopback only. */
  readonly pasvHost?: string;
  /** Refuse EPSV so the client has to use PASV (default false). */
  readonly refuseEpsv?: boolean;
  /** Announce MLST in FEAT but refuse MLSD and MLST, so the client has to fall back to LIST. */
  readonly brokenMlsd?: boolean;
  /** A body for RETR instead of the stored file, e.g. an endless stream. */
  readonly retr?: (path: string) => Readable | undefined;
}

/** A running scripted server; see {@link startScriptedFtp}. */
export interface ScriptedFtpServer {
  readonly host: string;
  readonly port: number;
  /** every command line received, in order; PASS arguments are masked */
  readonly log: readonly string[];
  /** the remote address of every data connection accepted */
  readonly dataPeers: readonly string[];
  /** the stored files, uploads and renames included */
  readonly files: Map<string, Buffer>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function listLine(name: string, size: number, dir: boolean): string {
  return `${dir ? 'd' : '-'}rw-r--r-- 1 ftp ftp ${size} Mar 10 14:02 ${name}`;
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startScriptedFtp(options: ScriptedFtpOptions = {}): Promise<ScriptedFtpServer> {
  const log: string[] = [];
  const dataPeers: string[] = [];
  const files = new Map<string, Buffer>(Object.entries(options.files ?? {}).map(([p, c]) => [p, Buffer.from(c)]));
  const dirs = new Set<string>(['/']);
  const sockets = new Set<Socket>();
  const dataServers = new Set<Server>();
  const isDir = (p: string): boolean => dirs.has(p) || [...files.keys()].some((f) => f.startsWith(p === '/' ? '/' : `${p}/`));

  const server = createServer((control) => {
    sockets.add(control);
    control.on('error', () => undefined);
    control.on('close', () => sockets.delete(control));
    control.write('220 scripted ftp\r\n');
    let cwd = '/';
    let renameFrom: string | undefined;
    let data: Promise<Socket> | undefined;
    let buffer = '';
    const reply = (text: string): void => {
      if (!control.destroyed) control.write(`${text}\r\n`);
    };
    const abs = (p: string): string => posix.resolve(cwd, p.replace(/^-a\s+/, '') || '.');
    const openData = async (): Promise<number> => {
      const ds = createServer();
      dataServers.add(ds);
      const port = await listen(ds);
      data = new Promise((resolve) => ds.once('connection', (s) => {
        dataPeers.push(s.remoteAddress ?? '?');
        s.on('error', () => undefined);
        sockets.add(s);
        ds.close();
        resolve(s);
      }));
      return port;
    };
    const takeData = async (): Promise<Socket | undefined> => {
      const d = data;
      data = undefined;
      if (d === undefined) reply('425 use PASV or EPSV first');
      return d;
    };
    // a client that hangs up mid-stream stops an endless body
    const send = (body: Readable, socket: Socket): void => {
      socket.on('close', () => body.destroy());
      body.on('error', () => socket.destroy());
      body.pipe(socket).on('finish', () => reply('226 done'));
    };
    const handle = async (verb: string, arg: string): Promise<void> => {
      switch (verb) {
        case 'USER': return reply('331 password please');
        case 'PASS': return reply('230 logged in');
        case 'FEAT': return reply(`211-Features\r\n${options.brokenMlsd === true ? ' MLST type*;size*;modify*;\r\n' : ''} UTF8\r\n211 End`);
        case 'MLST': return reply('500 MLST is broken here');
        case 'SYST': return reply('215 UNIX Type: L8');
        case 'PWD': return reply(`257 "${cwd}" is the current folder`);
        case 'TYPE': case 'STRU': case 'OPTS': case 'NOOP': return reply('200 ok');
        case 'CWD': {
          const to = abs(arg);
          if (!isDir(to)) return reply('550 no such folder');
          cwd = to;
          return reply('250 ok');
        }
        case 'MKD': dirs.add(abs(arg)); return reply(`257 "${abs(arg)}" created`);
        case 'EPSV': {
          if (options.refuseEpsv === true) return reply('502 EPSV not here');
          return reply(`229 Entering Extended Passive Mode (|||${await openData()}|)`);
        }
        case 'PASV': {
          const port = await openData();
          const host = (options.pasvHost ?? '127.0.0.1').replaceAll('.', ',');
          return reply(`227 Entering Passive Mode (${host},${port >> 8},${port & 255})`);
        }
        case 'LIST': case 'MLSD': case 'NLST': {
          if (verb === 'MLSD' && options.brokenMlsd === true) return reply('500 MLSD is broken here');
          const dir = abs(arg);
          const socket = await takeData();
          if (socket === undefined) return;
          const raw = options.listing?.(dir);
          const prefix = dir === '/' ? '/' : `${dir}/`;
          const generated = [...files].filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
            .map(([p, c]) => listLine(p.slice(prefix.length), c.length, false))
            .concat([...dirs].filter((d) => d !== dir && d.startsWith(prefix) && !d.slice(prefix.length).includes('/')).map((d) => listLine(d.slice(prefix.length), 0, true)));
          reply('150 here it comes');
          if (raw === undefined || typeof raw === 'string') socket.end(raw ?? generated.map((l) => `${l}\r\n`).join(''), () => reply('226 done'));
          else send(raw, socket);
          return;
        }
        case 'SIZE': {
          const f = files.get(abs(arg));
          return reply(f === undefined ? '550 not found' : `213 ${f.length}`);
        }
        case 'RETR': {
          const path = abs(arg);
          const body = options.retr?.(path);
          const f = files.get(path);
          if (body === undefined && f === undefined) return reply('550 not found');
          const socket = await takeData();
          if (socket === undefined) return;
          reply('150 sending');
          if (body === undefined) socket.end(f ?? Buffer.alloc(0), () => reply('226 done'));
          else send(body, socket);
          return;
        }
        case 'STOR': {
          const path = abs(arg);
          const socket = await takeData();
          if (socket === undefined) return;
          reply('150 go ahead');
          const chunks: Buffer[] = [];
          socket.on('data', (c: Buffer) => chunks.push(c));
          socket.on('end', () => {
            files.set(path, Buffer.concat(chunks));
            reply('226 stored');
          });
          return;
        }
        case 'DELE': return reply(files.delete(abs(arg)) ? '250 deleted' : '550 not found');
        case 'RNFR': {
          renameFrom = abs(arg);
          return reply(files.has(renameFrom) ? '350 go on' : '550 not found');
        }
        case 'RNTO': {
          const from = renameFrom === undefined ? undefined : files.get(renameFrom);
          if (renameFrom === undefined || from === undefined) return reply('503 RNFR first');
          files.delete(renameFrom);
          files.set(abs(arg), from);
          renameFrom = undefined;
          return reply('250 renamed');
        }
        case 'QUIT': reply('221 bye'); control.end(); return;
        default: return reply('502 not implemented');
      }
    };
    // commands are handled one at a time, in order, as a real server does
    let queue = Promise.resolve();
    control.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const space = line.indexOf(' ');
        const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
        const arg = space < 0 ? '' : line.slice(space + 1);
        log.push(verb === 'PASS' ? 'PASS ***' : line);
        queue = queue.then(() => handle(verb, arg)).catch(() => reply('451 local error'));
      }
    });
  });
  const port = await listen(server);
  return {
    host: '127.0.0.1',
    port,
    log,
    dataPeers,
    files,
    async close() {
      for (const s of sockets) s.destroy();
      for (const ds of dataServers) ds.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
