import * as z from 'zod';

import { duration, obj } from './schema-helpers.js';

const sshAlgorithms = obj({
  kex: z.array(z.string()).optional(),
  serverHostKey: z.array(z.string()).optional(),
  cipher: z.array(z.string()).optional(),
  hmac: z.array(z.string()).optional(),
});

const common = {
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).optional(),
  password: z.string().optional(),
  /** simultaneous connections to this server, shared by every profile that uses it */
  maxConnections: z.number().int().min(1).max(64).optional(),
  timeout: duration.optional(),
};

/** An SFTP server; `hostKey` pins the server's SHA256 fingerprint and is required. */
export const sftpConnection = obj({
  type: z.literal('sftp'),
  ...common,
  privateKey: z.string().optional(),
  passphrase: z.string().optional(),
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, {
    message: 'must be the server key fingerprint as "SHA256:" followed by 43 base64 characters (ssh-keygen -lf shows it)',
  }),
  algorithms: sshAlgorithms.optional(),
  keepaliveInterval: duration.optional(),
});

/** An FTP or FTPS server. Plain FTP sends passwords in clear text and needs `insecure: true`. */
export const ftpConnection = obj({
  type: z.enum(['ftp', 'ftps', 'ftps-implicit']),
  ...common,
  ca: z.string().optional(),
  /** SHA-256 fingerprint of a self-signed server certificate, as an alternative to `ca` */
  certFingerprint: z.string().optional(),
  insecure: z.boolean().optional(),
  /** use the address in the PASV reply (off: always the control connection's host) */
  usePasvAddress: z.boolean().optional(),
}).superRefine((c, ctx) => {
  if (c.type === 'ftp' && c.insecure !== true) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: 'plain FTP sends the password unencrypted; use ftps, or set insecure: true to accept that',
    });
  }
});

/**
 * An AMQP 0-9-1 broker (RabbitMQ); the URL carries credentials and therefore must be a secret
 * reference. `amqps://` is TLS, checked against `ca` (PEM) or the system's CAs.
 */
export const amqpConnection = obj({
  type: z.literal('amqp'),
  url: z.string().min(1),
  ca: z.string().optional(),
  heartbeat: duration.optional(),
}).superRefine((c, ctx) => {
  // an unresolved ${…} is reported by the loader already; its text is no URL to judge
  if (c.url.includes('${')) return;
  const protocol = /^([a-z][a-z0-9+.-]*):\/\//i.exec(c.url)?.[1]?.toLowerCase();
  if (protocol !== 'amqp' && protocol !== 'amqps') {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an amqp://user:password@host:5672/vhost or amqps://… URL' });
  } else if (c.ca !== undefined && protocol === 'amqp') {
    ctx.addIssue({ code: 'custom', path: ['ca'], message: 'is given, but the url is amqp:// (no TLS); write amqps:// to use TLS with this CA' });
  }
});

/** A local folder, so that results can go to `{ connection: archive }` like to a server. */
export const localConnection = obj({
  type: z.literal('local'),
  root: z.string().min(1).optional(),
});

/** Any connection. */
export const connection = z.discriminatedUnion('type', [sftpConnection, ftpConnection, amqpConnection, localConnection], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'needs "type": one of sftp, ftp, ftps, ftps-implicit, amqp, local' : undefined,
});

/** `profiles/connections.yaml`: a map of connection name to connection. */
export const connectionsFile = z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/), connection);

export type Connection = z.infer<typeof connection>;
export type SftpConnection = z.infer<typeof sftpConnection>;
export type FtpConnection = z.infer<typeof ftpConnection>;
export type AmqpConnection = z.infer<typeof amqpConnection>;

/** Key names that hold secrets anywhere in connections and profiles; a literal value there is refused. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'privateKey',
  'passphrase',
  'token',
  'secret',
  'clientSecret',
  'apiKey',
]);
