import type { SocketOptions } from 'amqplib';

import type { AmqpConnection } from '../profiles/connection-schema.js';
import { durationMs } from '../profiles/schema-helpers.js';

/** How long opening a connection (TCP, TLS and the AMQP handshake) may take. */
const CONNECT_TIMEOUT_MS = Number(process.env.FERRY_AMQP_CONNECT_TIMEOUT ?? 15_000);

/**
 * The broker as messages and logs name it: scheme, host, port and vhost, never the user or the
 * password the URL carries.
 */
export function brokerAddress(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port === '' ? (u.protocol === 'amqps:' ? '5671' : '5672') : u.port;
    return `${u.protocol}//${u.hostname}:${port}${u.pathname === '' ? '/' : u.pathname}`;
  } catch {
    return 'the broker (its URL cannot be read)';
  }
}

/** The URL and socket options amqplib connects with, for a `type: amqp` connection. */
export function connectOptions(spec: AmqpConnection, name: string): { url: string; socketOptions: SocketOptions } {
  let url = spec.url;
  if (spec.heartbeat !== undefined) {
    const u = new URL(spec.url);
    // amqplib reads the heartbeat (in whole seconds; 0 turns it off) from the query
    u.searchParams.set('heartbeat', String(Math.round(durationMs(spec.heartbeat) / 1000)));
    url = u.toString();
  }
  return {
    url,
    socketOptions: {
      timeout: CONNECT_TIMEOUT_MS,
      noDelay: true,
      clientProperties: { connection_name: name },
      ...(spec.ca === undefined ? {} : { ca: [spec.ca] }),
    },
  };
}
