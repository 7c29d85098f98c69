/**
 * Small host helpers for setting up the real test servers: run a command, probe a port's banner,
 * write files and folders with given owners, create users.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Runs a program (no shell) and resolves with its stdout; rejects with its stderr tail. */
export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const detail = `${Buffer.concat(err).toString()}\n${stdout}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${detail}`));
    });
    // a command that exits without reading its input (or is killed) closes the pipe early: its
    // exit status tells what happened, the EPIPE on our side must not become an uncaught error
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The first line a server sends on 127.0.0.1:`port` (SSH version or FTP 220 greeting), or
 * undefined when nothing listens or nothing is said within `timeoutMs`.
 */
export function readBanner(port: number, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const finish = (banner: string | undefined): void => {
      socket.destroy();
      resolve(banner);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\n');
      if (end >= 0) finish(text.slice(0, end).trim());
    });
    socket.on('end', () => finish(text === '' ? undefined : text.trim()));
  });
}

/** Waits until the banner on `port` satisfies `test`; undefined after `timeoutMs`. */
export async function waitForBanner(port: number, test: (banner: string | undefined) => boolean, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await readBanner(port, 1_000);
    if (test(banner)) return banner;
    if (Date.now() > deadline) return banner;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its adoptive parent) does not. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EPERM')) return false;
  }
  try {
    // Fields after the parenthesised command name: the first is the state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Stops the process whose pid `pidFile` holds, if it is alive; waits up to 5 s for it to go. */
export async function stopPidFile(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1 || !pidAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Writes `content` unless the file already holds exactly that; says whether it wrote. */
export async function writeIfChanged(path: string, content: string, mode = 0o644): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return true;
}

export interface Account {
  readonly uid: number;
  readonly gid: number;
}

/** uid and gid of a local user, from /etc/passwd; undefined when there is no such user. */
export async function lookupUser(name: string): Promise<Account | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** Whether /etc/shadow holds a usable password for `name` (not locked, not empty). */
async function hasPassword(name: string): Promise<boolean> {
  const shadow = await readFile('/etc/shadow', 'utf8');
  const entry = shadow.split('\n').find((line) => line.startsWith(`${name}:`));
  const hash = entry?.split(':')[1] ?? '';
  return hash.startsWith('$');
}

/**
 * Creates a system user without a login shell (sshd and our PAM service need none) and sets its
 * password. chpasswd is slow (yescrypt), so it runs only when the password we last set, noted in
 * `markerDir`, differs or the account has none.
 */
export async function ensureUser(name: string, home: string, password: string, markerDir: string): Promise<Account> {
  if ((await lookupUser(name)) === undefined) {
    await run('useradd', ['--system', '--no-create-home', '--home-dir', home, '--shell', '/usr/sbin/nologin', name]);
  }
  const marker = join(markerDir, `password-${name}`);
  const wanted = createHash('sha256').update(`${name}:${password}`).digest('hex');
  const noted = await readFile(marker, 'utf8').catch(() => '');
  if (noted !== wanted || !(await hasPassword(name))) {
    await run('chpasswd', [], { input: `${name}:${password}\n` });
    await writeFile(marker, wanted, { mode: 0o600 });
  }
  const account = await lookupUser(name);
  if (account === undefined) throw new Error(`user ${name} was not created`);
  return account;
}

/** Creates `path` if needed and gives it exactly this owner and mode. */
export async function ensureDir(path: string, owner: Account, mode: number): Promise<void> {
  await mkdir(path, { recursive: true });
  await chown(path, owner.uid, owner.gid);
  await chmod(path, mode);
}

export const ROOT: Account = { uid: 0, gid: 0 };
