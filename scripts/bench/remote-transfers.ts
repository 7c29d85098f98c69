/**
 * The download half of issue 4's benchmark: the reference CSV fetched from the real OpenSSH and
 * vsftpd by ferry's own file systems (case-remote-read.ts) and by OpenSSH's `sftp` and curl,
 * round-robin so that drift on a shared machine hits every client alike. Every download is checked
 * against the reference's size and SHA-256 before it counts.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { RealServers } from '../test-servers/real-servers.js';
import { formatSeconds } from './markdown-table.js';
import { measureOnce } from './measure.js';
import { checkClientRun, curlCommand, runCurl, runSftpClient, sftpCommand, writeSftpBatch, type ClientRun, type CurlTarget } from './remote-clients.js';
import type { Protocol, TransferCase, TransferRole, TransferRun } from './remote-report.js';
import { REMOTE_RUN_TIMEOUT_MS } from './remote-small-files.js';

/** What the downloads need. */
export interface DownloadEnv {
  /** Scratch folder: connection files, batch files, the downloaded copies (removed after each run). */
  readonly workDir: string;
  /** The compiled bench scripts holding case-remote-read.js. */
  readonly benchDir: string;
  readonly servers: RealServers;
  readonly reference: { readonly path: string; readonly bytes: number };
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One client on one server: how to run a get and a connect-only run. */
interface TransferSpec {
  readonly protocol: Protocol;
  readonly client: string;
  readonly role: TransferRole;
  readonly command: string;
  readonly get: (localOut: string) => Promise<TransferRun>;
  readonly connect: () => Promise<TransferRun>;
}

function clientRun(what: string, client: ClientRun, bytes: number): TransferRun {
  checkClientRun(what, client);
  const { run } = client;
  return { ms: run.wallMs, cpuMs: run.cpuMs, maxRssBytes: run.maxRssBytes, bytes };
}

/** A case script run through the harness (ferry's, or the library floor). */
async function ferryRun(script: string, connectionFile: string, args: readonly string[]): Promise<TransferRun> {
  const run = await measureOnce(script, [connectionFile, ...args], { timeoutMs: REMOTE_RUN_TIMEOUT_MS });
  return { ms: run.elapsedMs, cpuMs: run.cpuMs ?? null, maxRssBytes: run.maxRssKb * 1024, bytes: run.rows };
}

/** Connection files for ferry's case (secrets in a 0600 file of ours), the CA file for curl, the sftp batches. */
async function transferSpecs(setup: DownloadEnv, remote: Record<Protocol, string>): Promise<TransferSpec[]> {
  const { servers, workDir } = setup;
  const script = join(setup.benchDir, 'case-remote-read.js');
  const floorScript = join(setup.benchDir, 'case-basic-ftp-get.js');
  const write = async (name: string, value: object): Promise<string> => {
    const path = join(workDir, name);
    await writeFile(path, JSON.stringify(value), { mode: 0o600 });
    return path;
  };
  const privateKey = await readFile(servers.sftp.privateKeyPath, 'utf8');
  const sftpConn = await write('sftp.json', { type: 'sftp', host: servers.sftp.host, port: servers.sftp.port, user: servers.sftp.user, privateKey, hostKey: servers.sftp.hostKeyFingerprint });
  const ftpConn = await write('ftp.json', { type: 'ftp', insecure: true, host: servers.ftp.host, port: servers.ftp.port, user: servers.ftp.user, password: servers.ftp.password });
  const ftpsConn = await write('ftps.json', { type: 'ftps', host: servers.ftps.host, port: servers.ftps.port, user: servers.ftps.user, password: servers.ftps.password, ca: servers.ftps.caPem });
  const caFile = join(workDir, 'ftps-ca.pem');
  await writeFile(caFile, servers.ftps.caPem);
  const getBatch = join(workDir, 'sftp-get.batch');
  const emptyBatch = await writeSftpBatch(join(workDir, 'sftp-empty.batch'));
  const timeout = REMOTE_RUN_TIMEOUT_MS;
  const ferry = (protocol: Protocol, conn: string): TransferSpec => ({
    protocol, client: 'ferry', role: 'ferry',
    command: `node case-remote-read.js ${basename(conn)} get ${remote[protocol]} <local>`,
    get: (out) => ferryRun(script, conn, ['get', remote[protocol], out]),
    connect: () => ferryRun(script, conn, ['connect', remote[protocol]]),
  });
  const curl = (protocol: 'ftp' | 'ftps', target: CurlTarget): TransferSpec => ({
    protocol, client: 'curl', role: 'reference',
    command: curlCommand({ ...target, ...(target.caFile === undefined ? {} : { caFile: basename(target.caFile) }) }, remote[protocol], '<local>'),
    get: async (out) => clientRun(`curl get (${protocol})`, await runCurl(target, remote[protocol], out, timeout), await sizeOf(out)),
    connect: async () => clientRun(`curl --head (${protocol})`, await runCurl(target, remote[protocol], 'head', timeout), 0),
  });
  return [
    ferry('sftp', sftpConn),
    {
      protocol: 'sftp', client: 'OpenSSH sftp', role: 'reference',
      command: `${sftpCommand(servers.sftp, basename(getBatch))} (batch: get ${remote.sftp} <local>)`,
      get: async (out) => {
        await writeSftpBatch(getBatch, { remote: remote.sftp, local: out });
        return clientRun('sftp get', await runSftpClient(servers.sftp, getBatch, timeout), await sizeOf(out));
      },
      connect: async () => clientRun('sftp (empty batch)', await runSftpClient(servers.sftp, emptyBatch, timeout), 0),
    },
    ferry('ftp', ftpConn),
    curl('ftp', { ...servers.ftp }),
    {
      protocol: 'ftp', client: 'basic-ftp alone (downloadTo)', role: 'floor',
      command: `node case-basic-ftp-get.js ${basename(ftpConn)} get ${remote.ftp} <local>`,
      get: (out) => ferryRun(floorScript, ftpConn, ['get', remote.ftp, out]),
      connect: () => ferryRun(floorScript, ftpConn, ['connect', remote.ftp]),
    },
    ferry('ftps', ftpsConn),
    curl('ftps', { ...servers.ftps, caFile }),
  ];
}

/** The size of a client's output; 0 when it wrote none (the size check then fails the run). */
async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

/** Runs every transfer spec round-robin, checking each download against the reference. */
async function measureTransfers(setup: DownloadEnv, specs: readonly TransferSpec[], rounds: number): Promise<TransferCase[]> {
  const expectedHash = await sha256(setup.reference.path);
  const state = specs.map((spec) => ({ spec, get: [] as TransferRun[], connect: [] as TransferRun[], error: undefined as string | undefined }));
  for (let round = 1; round <= rounds; round++) {
    for (const entry of state) {
      const { spec } = entry;
      if (entry.error !== undefined) continue;
      const label = `[remote ${round}/${rounds}] ${spec.protocol} ${spec.client}`;
      const out = join(setup.workDir, `download-${spec.protocol}-${spec.client.replace(/\W+/g, '-')}.bin`);
      try {
        const connect = await spec.connect();
        const get = await spec.get(out);
        if (get.bytes !== setup.reference.bytes) throw new Error(`downloaded ${get.bytes} bytes, expected ${setup.reference.bytes}`);
        if ((await sha256(out)) !== expectedHash) throw new Error('the downloaded file differs from the reference');
        entry.connect.push(connect);
        entry.get.push(get);
        progress(`${label}: get ${formatSeconds(get.ms)}, connect only ${formatSeconds(connect.ms)}, peak RSS ${(get.maxRssBytes / 1e6).toFixed(0)} MB`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`${label}: FAILED ${entry.error}`);
      } finally {
        await rm(out, { force: true });
      }
    }
  }
  return state.map(({ spec, get, connect, error }) => ({
    protocol: spec.protocol, client: spec.client, role: spec.role, command: spec.command,
    status: error === undefined ? 'ok' : 'failed', ...(error === undefined ? {} : { note: error }), get, connect,
  }));
}

/**
 * Downloads the reference from each server (`remote`: its path there) `rounds` times with ferry and
 * with the reference client, each run preceded by a connect-only run of the same client.
 */
export async function measureDownloads(env: DownloadEnv, remote: Record<Protocol, string>, rounds: number): Promise<TransferCase[]> {
  return measureTransfers(env, await transferSpecs(env, remote), rounds);
}
