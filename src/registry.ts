import { openCsvReader } from './formats/csv/csv-reader.js';
import { openJsonReader } from './formats/json/json-reader.js';
import { openNdjsonReader } from './formats/json/ndjson-reader.js';
import { openXmlReader } from './formats/xml/xml-reader.js';
import { openXlsxReader } from './formats/xlsx/xlsx-reader.js';
import type { InputFile, RowReader } from './formats/types.js';
import type { Logger } from './log.js';
import { requestClass } from './metrics/request-class.js';
import type { Metrics } from './metrics/types.js';
import type { Connection } from './profiles/connection-schema.js';
import type { ProfileFormat, ProfileTarget } from './profiles/schema.js';
import { createHttpSink } from './targets/http/http-sink.js';
import type { Sink } from './targets/types.js';
import { createFtpFs } from './remote/ftp/ftp-fs.js';
import { createLocalFs } from './remote/local/local-fs.js';
import { createSftpFs } from './remote/sftp/sftp-fs.js';
import type { RemoteFs, RemoteHealth } from './remote/types.js';

/** Opens a file of one format with a profile's `format` settings. */
export type FormatReaderFactory = (file: InputFile, format: ProfileFormat) => Promise<RowReader>;

/**
 * The one list of component kinds ferry knows. A kind that is not here does not exist: adding a
 * format, a source or a target means adding it here, where a reader can see them all.
 */
export const FORMAT_READERS: Readonly<Partial<Record<ProfileFormat['type'], FormatReaderFactory>>> = {
  csv: (file, format) => openCsvReader(file, format),
  xlsx: (file, format) => openXlsxReader(file, format),
  xml: (file, format) => openXmlReader(file, format),
  json: (file, format) => openJsonReader(file, format),
  ndjson: (file, format) => openNdjsonReader(file, format),
};

/** Creates the sink of a profile's target; its requests and retries go to `metrics` under `profile`. */
export type SinkFactory = (target: ProfileTarget, options: { log: Logger; profile: string; metrics: Metrics }) => Sink;

/** Target kinds, by `target.type`. */
export const TARGETS: Readonly<Record<ProfileTarget['type'], SinkFactory>> = {
  http: (target, { log, profile, metrics }) => createHttpSink(target, {
    events: {
      onRetry: (info) => {
        metrics.countRetry(profile, requestClass(info.status, info.error));
        log.warn({ key: info.key, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason }, 'target request failed; retrying');
      },
      onRequest: (info) => metrics.observeDelivery(profile, requestClass(info.status, info.error), info.durationMs / 1000),
    },
  }),
};

/** Opens the file system of a connection (undefined: the local file system). */
export type RemoteFsFactory = (connection: Connection | undefined, options: { log: Logger }) => RemoteFs & { health(): RemoteHealth };

/** File systems, by connection type: where sources read and results and exports are written. */
export const REMOTE_FILE_SYSTEMS: Readonly<Partial<Record<Connection['type'] | 'local', RemoteFsFactory>>> = {
  local: (connection) => createLocalFs(connection?.type === 'local' ? connection.root : undefined),
  sftp: (connection, { log }) => (connection?.type === 'sftp' ? createSftpFs(connection, { log }) : notA('sftp')),
  ftp: (connection, { log }) => ftp(connection, log),
  ftps: (connection, { log }) => ftp(connection, log),
  'ftps-implicit': (connection, { log }) => ftp(connection, log),
};

function ftp(connection: Connection | undefined, log: Logger): ReturnType<RemoteFsFactory> {
  return connection?.type === 'ftp' || connection?.type === 'ftps' || connection?.type === 'ftps-implicit' ? createFtpFs(connection, { log }) : notA('ftp');
}

function notA(kind: string): never {
  throw new Error(`internal: a ${kind} file system was asked for without a ${kind} connection`);
}
