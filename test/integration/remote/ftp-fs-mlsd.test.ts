import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';

import { pino } from 'pino';

import { FerryError } from '../../../src/errors.js';
import { createFtpFs } from '../../../src/remote/ftp/ftp-fs.js';

/** What the scripted server answers; listings are keyed by the path the client asks for. */
interface Script {
  /** the greeting, written as is (a multiline one without its last line stalls the client) */
  greeting?: string;
  mlsd?: Record<string, string>;
  mlst?: Record<string, string>;
}

interface Scripted {
  readonly port: number;
  readonly log: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * A scripted FTP server for what ftp-srv cannot do: MLSD/MLST, bad names in listings, replies that
 * never end. EPSV only; data goes out on a one-shot listener.
 */
async function startScripted(script: Script): Promise<Scripted> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((control) => {
    sockets.add(control);
    control.on('error', () => undefined);
    control.write(script.greeting ?? '220 scripted\r\n');
    let data: Promise<Socket> | undefined;
    let buffer = '';
    control.on('data', async (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const [verb = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        log.push(verb === 'PASS' ? 'PASS ***' : line);
        const reply = (text: string): boolean => control.write(`${text}\r\n`);
        if (verb === 'USER') reply('331 password please');
        else if (verb === 'PASS') reply('230 logged in');
        else if (verb === 'FEAT') reply('211-Features\r\n MLST type*;size*;modify*;\r\n UTF8\r\n211 End');
        else if (verb === 'PWD') reply('257 "/" is home');
        else if (verb === 'EPSV') {
          const dataServer = createServer();
          const port = await listen(dataServer);
          data = new Promise((resolve) => dataServer.once('connection', (s) => {
            dataServer.close();
            resolve(s);
          }));
          reply(`229 Entering Extended Passive Mode (|||${port}|)`);
        } else if (verb === 'MLSD' && data !== undefined) {
          const body = script.mlsd?.[arg];
          if (body === undefined) {
            reply('550 no such folder');
            continue;
          }
          reply('150 here it comes');
          const socket = await data;
          socket.end(body, () => reply('226 done'));
        } else if (verb === 'MLST') {
          const facts = script.mlst?.[arg];
          reply(facts === undefined ? '550 not found' : `250-Listing ${arg}\r\n ${facts} ${arg}\r\n250 End`);
        } else if (verb === 'QUIT') reply('221 bye');
        else if (['TYPE', 'STRU', 'OPTS'].includes(verb)) reply('200 ok');
        else reply('502 not implemented');
      }
    });
  });
  const port = await listen(server);
  return {
    port,
    log,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function connection(port: number, timeout = 5): Parameters<typeof createFtpFs>[0] {
  return { type: 'ftp', insecure: true, host: '127.0.0.1', port, user: 'ferry', password: 'secret-pass', timeout };
}

describe('FTP against a scripted server', () => {
  const servers: Scripted[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  async function scripted(script: Script): Promise<Scripted> {
    const s = await startScripted(script);
    servers.push(s);
    return s;
  }

  it('uses MLSD and MLST when offered, with exact timestamps', async () => {
    const server = await scripted({
      mlsd: { '/in': 'type=cdir;modify=20240101000000; .\r\ntype=file;size=12;modify=20240310140207.5; a.csv\r\ntype=file;size=3; b.csv\r\n' },
      mlst: { '/in/a.csv': 'type=file;size=12;modify=20240310140207.5;' },
    });
    const fs = createFtpFs(connection(server.port));
    try {
      // to the second: fractions are dropped
      const exact = Date.UTC(2024, 2, 10, 14, 2, 7);
      assert.deepEqual(await fs.list('/in'), [
        { name: 'a.csv', path: '/in/a.csv', type: 'file', size: 12, mtimeMs: exact },
        { name: 'b.csv', path: '/in/b.csv', type: 'file', size: 3, mtimeMs: undefined },
      ]);
      assert.deepEqual(await fs.stat('/in/a.csv'), { name: 'a.csv', path: '/in/a.csv', type: 'file', size: 12, mtimeMs: exact });
      assert.equal(await fs.stat('/in/gone.csv'), undefined);
      assert.deepEqual(await fs.list('/missing'), []);
    } finally {
      await fs.close();
    }
    assert.ok(server.log.includes('MLSD /in'));
    assert.ok(!server.log.some((l) => l.startsWith('LIST')));
  });

  it('skips names with a line break or NUL and warns once per name', async () => {
    const server = await scripted({ mlsd: { '/': 'type=file;size=1; ok.csv\r\ntype=file;size=1; x\rDELE y.csv\r\ntype=file;size=1; a\u0000b\r\n' } });
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }));
    const fs = createFtpFs(connection(server.port), { log });
    try {
      assert.deepEqual((await fs.list('/')).map((e) => e.name), ['ok.csv']);
      assert.deepEqual((await fs.list('/')).map((e) => e.name), ['ok.csv']);
    } finally {
      await fs.close();
    }
    const warnings = lines.filter((l) => l.includes('skipping a remote name'));
    assert.equal(warnings.length, 2);
    assert.ok(!server.log.some((l) => l.startsWith('DELE')));
    assert.ok(!lines.join('').includes('secret-pass'));
  });

  it('gives up on a greeting that never ends within the timeout (B31)', async () => {
    const server = await scripted({ greeting: '220-welcome\r\n220-still welcoming\r\n' });
    const fs = createFtpFs(connection(server.port, 1));
    try {
      const started = Date.now();
      await assert.rejects(fs.list('/'), (err) => err instanceof FerryError && err.code === 'E_REMOTE_TIMEOUT');
      assert.ok(Date.now() - started < 2500);
      assert.equal(fs.health().state, 'down');
    } finally {
      await fs.close();
    }
  });

  it('refuses an endless multiline reply without running out of memory (B31)', async () => {
    const server = await scripted({ greeting: `220-${'x'.repeat(200_000)}\r\n` });
    const fs = createFtpFs(connection(server.port, 2));
    try {
      await assert.rejects(fs.list('/'), (err) => err instanceof FerryError && err.code === 'E_REMOTE_UNAVAILABLE' && /maximum allowed size/.test(err.message));
    } finally {
      await fs.close();
    }
  });
});
