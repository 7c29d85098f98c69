import type { Readable } from 'node:stream';

/** One entry of a remote folder listing. */
export interface RemoteEntry {
  /** the name as the server spells it (data, never a local path) */
  readonly name: string;
  /** the full remote path, as to be sent back to the server */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  /**
   * Modification time in ms, or undefined when the server does not say it precisely (an FTP LIST
   * line without a year or seconds): stability then rests on size across listings alone.
   */
  readonly mtimeMs: number | undefined;
}

/** What a server can do, found out when connecting (used to pick a safe upload strategy). */
export interface RemoteCapabilities {
  /** rename onto an existing name replaces it (SFTP posix-rename@openssh.com, most FTP servers) */
  readonly atomicReplace: boolean;
}

/**
 * A file system reached over one connection: local folders, SFTP, FTP and FTPS all look like this
 * to sources, result files and exports. Client libraries (ssh2-sftp-client, basic-ftp) stay behind
 * it. Every method may be called again after a failure; implementations reconnect on their own.
 * Paths are POSIX-style remote paths; names containing CR, LF or NUL are refused (E_REMOTE_NAME)
 * before anything is sent to a server.
 */
export interface RemoteFs {
  /** the connection, for messages: `sftp://ferry@host:22` (never a password) */
  readonly label: string;
  list(dir: string, signal?: AbortSignal): Promise<RemoteEntry[]>;
  /** undefined when the path does not exist */
  stat(path: string, signal?: AbortSignal): Promise<RemoteEntry | undefined>;
  /** the file's bytes; the stream errors when the transfer is cut */
  read(path: string, signal?: AbortSignal): Promise<Readable>;
  /**
   * Writes a file so that nobody ever sees it half-written under `path`: upload to a temporary
   * name in the same folder, then rename (replacing an existing file: posix-rename where offered,
   * otherwise delete-then-rename).
   */
  write(path: string, data: Readable | Buffer, signal?: AbortSignal): Promise<void>;
  rename(from: string, to: string, signal?: AbortSignal): Promise<void>;
  remove(path: string, signal?: AbortSignal): Promise<void>;
  /** creates the folder and its parents; an existing folder is fine */
  mkdirp(dir: string, signal?: AbortSignal): Promise<void>;
  /** closes every connection */
  close(): Promise<void>;
}

/** Health of a connection, for `ferry status` and /healthz. */
export interface RemoteHealth {
  readonly label: string;
  readonly state: 'ok' | 'down' | 'unknown';
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly lastOkAt: number | null;
}
