import * as z from 'zod';

import { isLocalName, isPrivateAddress } from '../notify/address-guard.js';
import { parseWindow } from '../scheduler/batch-window.js';
import { parseCron } from '../scheduler/cron-schedule.js';
import { connection } from './connection-schema.js';
import { fieldSpec, lookupSpec } from './field-schema.js';
import { expectSpec } from './expect-schema.js';
import { paramsSpec } from './param-schema.js';
import { groupSpec, splitSpec } from './shape-schema.js';
import { byteSize, countOrPercent, duration, globs, obj, rate, singleChar, timeZoneName } from './schema-helpers.js';

/** A named connection, or an inline one. */
const connectionRef = z.union([z.string().min(1), connection], {
  error: 'must be the name of a connection in profiles/connections.yaml, or an inline connection object with a type',
});

/** An exchange, queue or routing key name: AMQP short strings hold at most 255 bytes. */
const amqpName = z.string().min(1).max(255, { message: 'is longer than 255 characters, the most AMQP allows for a name' });

const afterAction = z.string().regex(/^(move:.+|delete|keep)$/, {
  message: 'must be move:<dir>, delete or keep',
});

const source = obj({
  type: z.enum(['local', 'ftp', 'ftps', 'sftp', 'http', 'amqp']),
  connection: connectionRef.optional(),
  /** the queue whose messages are the batch files (source.type amqp) */
  queue: amqpName.optional(),
  dir: z.string().min(1).optional(),
  include: globs.optional(),
  exclude: globs.optional(),
  recursive: z.boolean().optional(),
  stable: obj({
    minAge: duration.optional(),
    checks: z.number().int().min(1).max(20).optional(),
    doneFile: z.string().min(1).optional(),
  }).optional(),
  after: obj({ success: afterAction.optional(), failure: afterAction.optional() }).optional(),
  /** bearer token for POST /upload/<profile> (source.type http) */
  token: z.string().optional(),
  /** the largest upload taken (source.type http; default 100MB) */
  maxSize: byteSize.optional(),
}).superRefine((s, ctx) => {
  if (s.type === 'amqp') {
    amqpSourceIssues(s, ctx);
    return;
  }
  if (s.type !== 'http' && s.dir === undefined) {
    ctx.addIssue({ code: 'custom', path: ['dir'], message: `is required for a ${s.type} source: the folder to read files from` });
  }
  if ((s.type === 'ftp' || s.type === 'ftps' || s.type === 'sftp') && s.connection === undefined) {
    ctx.addIssue({ code: 'custom', path: ['connection'], message: `is required for a ${s.type} source` });
  }
  if (s.queue !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['queue'], message: `is only for source.type amqp; a ${s.type} source reads ${s.type === 'http' ? 'uploads' : 'the folder in dir'}` });
  }
});

/** An amqp source reads a queue: folder settings mean nothing to it, and saying so beats ignoring them. */
function amqpSourceIssues(s: { connection?: unknown; queue?: string } & Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (s.connection === undefined) ctx.addIssue({ code: 'custom', path: ['connection'], message: 'is required for an amqp source: the broker (a type: amqp connection)' });
  if (s.queue === undefined) ctx.addIssue({ code: 'custom', path: ['queue'], message: 'is required for an amqp source: the queue whose messages are the batch files' });
  for (const key of ['dir', 'include', 'exclude', 'recursive', 'stable', 'after', 'token', 'maxSize']) {
    if (s[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is not used by an amqp source: each message on source.queue is one batch file' });
  }
}

export const triggerSpec = obj({
  watch: z.boolean().optional(),
  every: duration.optional(),
  cron: z.string().optional(),
  timezone: timeZoneName.optional(),
  window: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, {
    message: 'must be a time window such as 22:00-06:00',
  }).optional(),
  /** a cron run missed while the daemon was down is made up once at start-up (default true) */
  makeUpMissed: z.boolean().optional(),
  /** runs of this profile at once, for requested runs (webhook, API) with different parameters (default 1) */
  maxRuns: z.number().int().min(1).max(16).optional(),
  webhook: obj({ token: z.string().optional(), secret: z.string().optional() }).optional(),
  /** a message on this AMQP queue starts a run; it is acknowledged once the run was accepted */
  queue: obj({ connection: connectionRef, name: amqpName }).optional(),
}).superRefine((t, ctx) => {
  // the scheduler's own parsers, so that check and daemon read the same expressions
  if (t.cron !== undefined) {
    const cron = parseCron(t.cron, t.timezone);
    if (!cron.ok) ctx.addIssue({ code: 'custom', path: ['cron'], message: cron.message });
  }
  if (t.window !== undefined && /^\d\d:\d\d-\d\d:\d\d$/.test(t.window)) {
    const window = parseWindow(t.window, t.timezone);
    if (!window.ok) ctx.addIssue({ code: 'custom', path: ['window'], message: window.message });
  }
});

const format = obj({
  type: z.enum(['csv', 'xlsx', 'xml', 'json', 'ndjson']).default('csv'),
  encoding: z.string().optional(),
  delimiter: z.union([z.literal('auto'), singleChar]).optional(),
  quote: singleChar.optional(),
  header: z.boolean().optional(),
  skipRows: z.number().int().min(0).optional(),
  relaxQuotes: z.boolean().optional(),
  relaxColumnCount: z.boolean().optional(),
  maxRecordSize: z.number().int().min(1024).optional(),
  sheet: z.union([z.string(), z.number().int().min(1)]).optional(),
  headerRow: z.number().int().min(1).optional(),
  record: z.string().optional(),
});

export const authSpec = z.discriminatedUnion('type', [
  obj({ type: z.literal('bearer'), token: z.string() }),
  obj({ type: z.literal('basic'), user: z.string(), password: z.string() }),
  obj({ type: z.literal('header'), name: z.string(), value: z.string() }),
  obj({
    type: z.literal('oauth2'),
    tokenUrl: z.string().url(),
    clientId: z.string(),
    clientSecret: z.string(),
    scope: z.string().optional(),
    audience: z.string().optional(),
  }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'needs "type": one of bearer, basic, header, oauth2' : undefined) });

const httpTarget = obj({
  type: z.literal('http'),
  url: z.string().url(),
  method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
  auth: authSpec.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  batchSize: z.number().int().min(1).max(100_000).optional(),
  body: z.string().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  /** send chunks while the file is still read (default false: the whole file is read first) */
  stream: z.boolean().optional(),
  rate: rate.optional(),
  timeout: z.union([duration, obj({ connect: duration.optional(), headers: duration.optional(), body: duration.optional() })]).optional(),
  retry: obj({ attempts: z.number().int().min(1).max(100).optional(), maxDelay: duration.optional(), baseDelay: duration.optional() }).optional(),
  idempotencyHeader: z.string().min(1).optional(),
  response: obj({ items: z.string().optional(), id: z.string().optional(), error: z.string().optional() }).optional(),
});

/** Publishes records to an AMQP exchange with publisher confirms (see targets/amqp). */
const amqpTarget = obj({
  type: z.literal('amqp'),
  connection: connectionRef,
  /** "" is the default exchange, which routes by queue name */
  exchange: z.string().max(255, { message: 'is longer than 255 characters, the most AMQP allows for a name' }),
  routingKey: z.string().max(255, { message: 'is longer than 255 characters, the most AMQP allows for a routing key' }).optional(),
  /** records per confirmed chunk (and per message with perMessage: batch) */
  batchSize: z.number().int().min(1).max(100_000).optional(),
  /** record (default): one message per record; batch: one message per chunk of batchSize records, a JSON array */
  perMessage: z.enum(['record', 'batch']).optional(),
  /** delivery mode 2: the broker writes the message to disk (default true) */
  persistent: z.boolean().optional(),
  /** the broker returns a message no queue is bound for, and the record fails (default true) */
  mandatory: z.boolean().optional(),
  contentType: z.string().min(1).optional(),
  headers: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** add x-ferry-profile, x-ferry-batch and x-ferry-file to every message (default false: they cost the broker ~30%) */
  traceHeaders: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  /** send chunks while the file is still read (default false: the whole file is read first) */
  stream: z.boolean().optional(),
  retry: obj({ attempts: z.number().int().min(1).max(100).optional(), maxDelay: duration.optional(), baseDelay: duration.optional() }).optional(),
  /** how long the broker may take to confirm a chunk before the connection counts as lost (default 30s) */
  timeout: duration.optional(),
});

const target = z.discriminatedUnion('type', [httpTarget, amqpTarget], {
  error: (issue) => (issue.code === 'invalid_union' ? 'needs "type": one of http, amqp' : undefined),
});

const results = obj({
  to: obj({ connection: connectionRef.optional(), dir: z.string().min(1) }),
  name: z.string().optional(),
  format: z.enum(['csv', 'xlsx', 'xml', 'json']).optional(),
  delimiter: singleChar.optional(),
  encoding: z.string().optional(),
  doneFile: z.boolean().optional(),
});

const notifyEvent = z.enum([
  'file.received', 'batch.completed', 'batch.partial', 'batch.failed', 'file.rejected', 'file.missing',
  'export.completed', 'export.failed',
]);

export const notifySpec = z.array(obj({
  url: z.string().url().refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http or https URL' }),
  /** the events sent to this URL (default: all of them) */
  on: z.array(notifyEvent).optional(),
  secret: z.string().optional(),
  allowPrivate: z.boolean().optional(),
  /** how long a failing notification is retried before it is dead-lettered (default 24h) */
  retryFor: duration.optional(),
  /** per attempt (default 15s) */
  timeout: duration.optional(),
}).superRefine((n, ctx) => {
  // names resolving to such addresses are refused again when sending; literal ones are caught here
  let host: string;
  try {
    host = new URL(n.url).hostname;
  } catch {
    return;
  }
  if (n.allowPrivate !== true && (isLocalName(host) || isPrivateAddress(host))) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `${host} is a loopback, private or link-local address; notifications go there only with allowPrivate: true` });
  }
}));

/** An import profile (`kind: import`, the default). */
export const profileSchema = obj({
  version: z.literal(1, { error: 'must be 1 (the profile format version)' }),
  kind: z.literal('import').optional(),
  description: z.string().optional(),
  source: source.optional(),
  trigger: triggerSpec.optional(),
  format: format.optional(),
  fields: z.record(z.string().min(1), fieldSpec).refine((f) => Object.keys(f).length > 0, { message: 'must map at least one field' }),
  lookups: z.record(z.string().min(1), lookupSpec).optional(),
  key: z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v)).optional(),
  /** an expression over the raw row (`row["…"]`) and parameters; rows where it is false are skipped */
  filter: z.string().min(1).optional(),
  /** run parameters: `ferry run --param k=v`, read by expressions as param.k and by name templates as {param.k} */
  params: paramsSpec.optional(),
  split: splitSpec.optional(),
  group: groupSpec.optional(),
  onError: z.enum(['reject-row', 'reject-file']).optional(),
  maxRejected: countOrPercent.optional(),
  target: target.optional(),
  results: results.optional(),
  notify: notifySpec.optional(),
  expect: expectSpec.optional(),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileSource = NonNullable<Profile['source']>;
export type ProfileFormat = NonNullable<Profile['format']>;
export type ProfileTarget = NonNullable<Profile['target']>;
export type HttpTarget = Extract<ProfileTarget, { type: 'http' }>;
export type AmqpTarget = Extract<ProfileTarget, { type: 'amqp' }>;
export type ProfileResults = NonNullable<Profile['results']>;
export type ProfileNotify = NonNullable<Profile['notify']>[number];
