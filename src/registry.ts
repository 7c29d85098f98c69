import type { Writable } from 'node:stream';

import { openCsvReader } from './formats/csv/csv-reader.js';
import { createCsvWriter } from './formats/writers/csv-writer.js';
import { createJsonWriter } from './formats/writers/json-writer.js';
import type { TableFormat, TableWriter, TableWriterOptions } from './formats/writers/types.js';
import { createXlsxWriter } from './formats/writers/xlsx-writer.js';
import { createXmlWriter } from './formats/writers/xml-writer.js';
import { openJsonReader } from './formats/json/json-reader.js';
import { openNdjsonReader } from './formats/json/ndjson-reader.js';
import { openXmlReader } from './formats/xml/xml-reader.js';
import { openXlsxReader } from './formats/xlsx/xlsx-reader.js';
import type { InputFile, RowReader } from './formats/types.js';
import type { Logger } from './log.js';
import { requestClass } from './metrics/request-class.js';
import type { Metrics, RequestClass } from './metrics/types.js';
import type { Connection } from './profiles/connection-schema.js';
import type { ProfileFormat, ProfileTarget } from './profiles/schema.js';
import { consumeQueue } from './amqp/queue-consumer.js';
import type { DeliveryHandler, QueueConsumer, QueueConsumerOptions } from './amqp/types.js';
import { createAmqpSink } from './targets/amqp/amqp-sink.js';
import type { PublishOutcome } from './targets/amqp/types.js';
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

/** Writes rows of one format to `out`, streaming; `end()` ends `out`. */
export type TableWriterFactory = (out: Writable, options: TableWriterOptions) => TableWriter;

/** The formats result files and exports are written in, by `result.format` / `export.format`. */
export const TABLE_WRITERS: Readonly<Record<TableFormat, TableWriterFactory>> = {
  csv: (out, options) => createCsvWriter(out, options),
  xlsx: (out, options) => createXlsxWriter(out, options),
  xml: (out, options) => createXmlWriter(out, options),
  json: (out, options) => createJsonWriter(out, options),
};

/**
 * Creates the sink of a profile's target; its requests and retries go to `metrics` under
 * `profile`. `connection` is the target's named or inline connection, for targets that have one.
 */
export type SinkFactory = (target: ProfileTarget, options: { log: Logger; profile: string; metrics: Metrics; connection?: Connection }) => Sink;

/** How an AMQP publish attempt counts in `/metrics`: a nack is the broker's failure, a loss the network's. */
const PUBLISH_CLASS: Readonly<Record<PublishOutcome, RequestClass>> = { confirmed: '2xx', nacked: '5xx', lost: 'network' };

/** Target kinds, by `target.type`. */
export const TARGETS: Readonly<Record<ProfileTarget['type'], SinkFactory>> = {
  http: (target, { log, profile, metrics }) => (target.type !== 'http' ? mismatch('http target') : createHttpSink(target, {
    events: {
      onRetry: (info) => {
        metrics.countRetry(profile, requestClass(info.status, info.error));
        log.warn({ key: info.key, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason }, 'target request failed; retrying');
      },
      onRequest: (info) => metrics.observeDelivery(profile, requestClass(info.status, info.error), info.durationMs / 1000),
    },
  })),
  amqp: (target, { log, profile, metrics, connection }) => (target.type !== 'amqp' ? mismatch('amqp target') : createAmqpSink(target, connection, {
    log,
    profile,
    events: {
      onRetry: (info) => {
        metrics.countRetry(profile, 'network');
        log.warn({ key: info.key, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason }, 'publishing to the broker failed; retrying');
      },
      onPublish: (info) => metrics.observeDelivery(profile, PUBLISH_CLASS[info.outcome], info.durationMs / 1000),
    },
  })),
};

/** Consumes a queue of a broker connection: `trigger.queue` and `source.type: amqp`. */
export type QueueConsumerFactory = (connection: Connection, queue: string, handle: DeliveryHandler, options: QueueConsumerOptions & { log: Logger }) => QueueConsumer;

/** Message brokers whose queues start runs or carry batch files, by connection type. */
export const QUEUE_CONSUMERS: Readonly<Partial<Record<Connection['type'], QueueConsumerFactory>>> = {
  amqp: (connection, queue, handle, options) => (connection.type !== 'amqp' ? mismatch('amqp connection') : consumeQueue(connection, queue, handle, options)),
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

function mismatch(kind: string): never {
  throw new Error(`internal: the factory of an ${kind} was given something else`);
}
