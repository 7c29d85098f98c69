import { posix } from 'node:path';

import { InputError } from '../errors.js';

/**
 * Refuses a remote path that would inject commands or escape: CR and LF end an FTP command
 * (basic-ftp GHSA-6v7q-wjvx-w8wg), NUL truncates paths in C servers. Checked before anything is
 * sent to a server.
 */
export function checkRemotePath(path: string): string {
  if (/[\r\n\u0000]/.test(path)) {
    throw new InputError('E_REMOTE_NAME', `refusing the remote path ${JSON.stringify(path)}: it contains a line break or NUL`);
  }
  return path;
}

/** Joins a remote folder and a name given by a server listing, refusing names that climb out. */
export function joinRemote(dir: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || /[\r\n\u0000]/.test(name)) {
    throw new InputError('E_REMOTE_NAME', `refusing the remote name ${JSON.stringify(name)}`);
  }
  return checkRemotePath(posix.join(dir, name));
}

/** The temporary name a file is uploaded under before it is renamed into place. */
export function tempNameFor(path: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.ferry-part`);
}
