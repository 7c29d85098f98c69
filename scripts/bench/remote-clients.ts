/**
 * The reference clients of the remote download benchmark, run as processes and measured from the
 * outside (measured-process.ts): OpenSSH's own `sftp` against the real sshd, and curl against the
 * real vsftpd, plain and explicit FTPS. Each has a "connect only" variant (an empty sftp batch,
 * `curl --head`) whose time the report subtracts to get the transfer alone.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import { runMeasured, type ProcessRun } from './measured-process.js';

const execFileAsync = promisify(execFile);

/** How to reach the SFTP server with OpenSSH's client. */
export interface SftpClientTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyPath: string;
}

/** How to reach one vsftpd instance with curl. */
export interface CurlTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** A CA file to verify the server with: set for explicit FTPS (`--ssl-reqd`), unset for plain FTP. */
  readonly caFile?: string;
}

/** One download (or connect-only run) of a reference client. */
export interface ClientRun {
  readonly run: ProcessRun;
  /** The command line as the report shows it, with the password replaced. */
  readonly command: string;
}

/** Writes a batch file for `sftp -b`: `get <remote> <local>`, or nothing (connect and quit) without a remote path. */
export async function writeSftpBatch(path: string, get?: { remote: string; local: string }): Promise<string> {
  await writeFile(path, get === undefined ? '' : `get ${get.remote} ${get.local}\n`);
  return path;
}

/**
 * The arguments of `sftp -b <batch> …` with key auth and no host-key prompt. A batch file rather
 * than `-b -`: runMeasured gives the child no stdin; the two read the same commands.
 */
function sftpArgs(target: SftpClientTarget, batchFile: string): string[] {
  return [
    '-b', batchFile, '-i', target.privateKeyPath, '-P', String(target.port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'BatchMode=yes', `${target.user}@${target.host}`,
  ];
}

/** The `sftp` command line, for the report. */
export function sftpCommand(target: SftpClientTarget, batchFile: string): string {
  return `sftp ${sftpArgs(target, batchFile).join(' ')}`;
}

/** Runs `sftp` on one batch file. */
export async function runSftpClient(target: SftpClientTarget, batchFile: string, timeoutMs: number): Promise<ClientRun> {
  const args = sftpArgs(target, batchFile);
  return { run: await runMeasured('sftp', args, { timeoutMs }), command: `sftp ${args.join(' ')}` };
}

function curlArgs(target: CurlTarget, remotePath: string, localPath: string | 'head', password: string): string[] {
  const url = `ftp://${encodeURIComponent(target.user)}:${password}@${target.host}:${target.port}${remotePath}`;
  const tls = target.caFile === undefined ? [] : ['--ssl-reqd', '--cacert', target.caFile];
  const output = localPath === 'head' ? ['--head', '-o', '/dev/null'] : ['-o', localPath];
  return ['-s', '-S', ...tls, ...output, url];
}

/** The curl command line, for the report, with the password replaced. */
export function curlCommand(target: CurlTarget, remotePath: string, localPath: string | 'head'): string {
  return `curl ${curlArgs(target, remotePath, localPath, '***').join(' ')}`;
}

/** `curl -s -o <local> ftp://user:pw@host:port<path>`, with `--ssl-reqd --cacert` for FTPS; `head` only connects and asks SIZE/MDTM. */
export async function runCurl(target: CurlTarget, remotePath: string, localPath: string | 'head', timeoutMs: number): Promise<ClientRun> {
  const args = curlArgs(target, remotePath, localPath, encodeURIComponent(target.password));
  return { run: await runMeasured('curl', args, { timeoutMs }), command: curlCommand(target, remotePath, localPath) };
}

/** Throws when a client run failed or timed out, with its stderr (which never holds the password: it is only in the URL). */
export function checkClientRun(what: string, client: ClientRun): void {
  const { run } = client;
  if (run.code === 0 && !run.timedOut) return;
  const why = run.timedOut ? 'timed out' : `exited with ${run.code ?? run.signal ?? '?'}`;
  throw new Error(`${what} ${why}: ${run.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`);
}

/** The first line of `<command> <flag>` (stdout or stderr), for the report; `unknown` on failure. */
export async function toolVersion(command: string, flag: string): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [flag], { timeout: 5000 });
    return (`${stdout}${stderr}`.trim().split('\n')[0] ?? '').trim() || 'unknown';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return (`${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n')[0] ?? '').trim() || 'unknown';
  }
}
