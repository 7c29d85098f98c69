import type { HookTarget } from '../admin/types.js';
import { runRequestBody } from '../admin/run-request.js';
import type { AmqpDelivery, DeliveryVerdict, QueueConsumer } from '../amqp/types.js';
import type { Logger } from '../log.js';
import type { Connection } from '../profiles/connection-schema.js';
import { resolveParams, type RunParams } from '../profiles/run-params.js';
import { QUEUE_CONSUMERS } from '../registry.js';

/** The run a message asks for: its parameters and file, or why it never can be one. */
function requestOf(delivery: AmqpDelivery): { given: Record<string, string>; file: unknown } | string {
  const text = delivery.body.toString('utf8').trim();
  // any body that is not a JSON object is just a knock on the door: a run with the defaults
  const json = delivery.contentType === 'application/json' || text.startsWith('{');
  if (!json) return { given: {}, file: undefined };
  const parsed = runRequestBody(Buffer.from(text, 'utf8'));
  return typeof parsed === 'string' ? parsed : { given: parsed.given, file: parsed.fields.file };
}

function validFile(file: string): boolean {
  return file !== '' && file.length <= 255 && !file.includes('\0') && !file.split('/').some((part) => part === '..' || part === '');
}

/** The run a message asks for, checked against the profile as the runs API checks it; or what is wrong. */
function checkedRequest(delivery: AmqpDelivery, target: HookTarget, profile: string): { params: RunParams; file?: string } | string {
  const request = requestOf(delivery);
  if (typeof request === 'string') return request;
  const params = resolveParams(target.params, request.given);
  if (!params.ok) return `the run parameters do not fit the profile: ${params.problems.join('; ')}`;
  const file = request.file;
  if (file === undefined) return { params: params.params };
  if (typeof file !== 'string' || !validFile(file)) return '"file" must be the name of a file in the profile\'s source folder (a relative path without ..)';
  if (target.takesFile !== true) return `profile ${profile} does not read a folder; "file" does not apply`;
  return { params: params.params, file };
}

/**
 * `trigger.queue`: each message on the queue asks for a run of the profile, as a webhook call
 * does. The body may be empty (a run with the default parameters) or `{"params": {…}, "file":
 * "name.csv"}` as for `POST /api/profiles/<id>/runs`. The message is acknowledged once the
 * profile's worker took the request (a new run, or one waiting or running with the same
 * parameters); a stopped or busy profile gets it back later; parameters that do not fit the
 * profile are rejected (dead-lettered where the queue has a dead-letter exchange).
 */
export function startQueueTrigger(profile: string, queue: string, connection: Connection, runTarget: () => HookTarget | undefined, log: Logger): QueueConsumer {
  const consume = QUEUE_CONSUMERS[connection.type];
  if (consume === undefined) throw new Error(`internal: no queue consumer for ${connection.type} connections`);
  const decide = (delivery: AmqpDelivery): Promise<DeliveryVerdict> => {
    const target = runTarget();
    // not running (yet, or any more): the message waits on the broker
    if (target === undefined) return Promise.resolve('requeue');
    const request = checkedRequest(delivery, target, profile);
    if (typeof request === 'string') {
      log.warn({ messageId: delivery.messageId, problem: request }, 'a trigger message was rejected');
      return Promise.resolve('reject');
    }
    const run = target.requestRun('queue', request.params, request.file);
    if (run === undefined || 'busy' in run) return Promise.resolve('requeue');
    log.info({ run: run.runId, coalesced: run.coalesced, messageId: delivery.messageId }, 'run requested by a queue message');
    return Promise.resolve('ack');
  };
  return consume(connection, queue, decide, { name: `ferry ${profile} (trigger)`, log });
}
