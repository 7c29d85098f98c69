import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear. */
const REDACT = [
  'password', '*.password', '*.*.password', 'token', '*.token', '*.*.token', 'secret', '*.secret', '*.*.secret',
  'privateKey', '*.privateKey', 'passphrase', '*.passphrase', 'clientSecret', '*.clientSecret', '*.*.clientSecret',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'headers["x-api-key"]',
];

/** The root logger: JSON lines on stderr (stdout belongs to command output such as `run --json`). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } }, pino.destination(2));
}
