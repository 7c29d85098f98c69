/**
 * Puts benchmark files on the real test servers by writing into the local folders they serve.
 * Everything is owned by the server's user afterwards, as a real drop folder would be: files that
 * root leaves behind cannot be renamed or removed through the server (ferry moves sources to
 * `processed/`), and a folder the user cannot write makes that move fail.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One folder of ours inside a served root: its local path, and the path the server shows. */
export interface ServerFolder {
  readonly local: string;
  readonly remote: string;
  /** The server's user, owner of everything in the folder. */
  readonly user: string;
}

/** The folder `name` under a server's writable root (`root` locally, `dir` remotely). */
export function serverFolder(server: { root: string; dir: string; user: string }, name: string): ServerFolder {
  return { local: join(server.root, name), remote: `${server.dir}/${name}`, user: server.user };
}

async function chownToUser(folder: ServerFolder): Promise<void> {
  await execFileAsync('chown', ['-R', `${folder.user}:${folder.user}`, folder.local]);
}

/** Empties the folder (creating it when missing) and gives it to the server's user. */
export async function resetFolder(folder: ServerFolder): Promise<void> {
  await rm(folder.local, { recursive: true, force: true });
  await mkdir(folder.local, { recursive: true });
  await chownToUser(folder);
}

/** Copies `file` into the folder as `name`; returns its remote path. */
export async function placeFile(folder: ServerFolder, file: string, name: string): Promise<string> {
  await mkdir(folder.local, { recursive: true });
  await copyFile(file, join(folder.local, name));
  await chownToUser(folder);
  return `${folder.remote}/${name}`;
}

/** Hands every file written into the folder since the last reset to the server's user. */
export async function giveToServerUser(folder: ServerFolder): Promise<void> {
  await chownToUser(folder);
}

/** Names of the plain files directly in `dir` (a local path); none when it does not exist. */
export async function filesIn(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Removes the folder and everything in it. */
export async function removeFolder(folder: ServerFolder): Promise<void> {
  await rm(folder.local, { recursive: true, force: true });
}
