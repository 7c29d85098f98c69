import { join } from 'node:path';

/** Settings shared by every command; a flag wins over its environment variable. */
export interface GlobalOptions {
  readonly profiles: string;
  readonly data: string;
  readonly store: string;
  readonly listen: string;
  readonly logLevel: string;
}

/** Flags as commander hands them over. */
export interface GlobalFlags {
  profiles?: string;
  data?: string;
  store?: string;
  listen?: string;
  logLevel?: string;
}

/** Resolves flags, then `FERRY_*` environment variables, then defaults (see cli-and-api.md). */
export function resolveGlobalOptions(flags: GlobalFlags, env: Readonly<Record<string, string | undefined>> = process.env): GlobalOptions {
  const data = flags.data ?? env.FERRY_DATA ?? './data';
  return {
    profiles: flags.profiles ?? env.FERRY_PROFILES ?? './profiles',
    data,
    store: flags.store ?? env.FERRY_STORE ?? `sqlite:${join(data, 'ferry.db')}`,
    listen: flags.listen ?? env.FERRY_LISTEN ?? '127.0.0.1:8470',
    logLevel: flags.logLevel ?? env.FERRY_LOG_LEVEL ?? 'info',
  };
}
