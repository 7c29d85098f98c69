import type { HookTarget } from '../admin/types.js';
import type { QueueConsumer } from '../amqp/types.js';
import type { Logger } from '../log.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import type { LoadedProfile } from '../profiles/types.js';
import { QueueSource } from './queue-source.js';
import { startQueueTrigger } from './queue-trigger.js';
import type { RunSlots } from './run-slots.js';

interface Consumer {
  readonly fingerprint: string;
  readonly consumer: Pick<QueueConsumer, 'stop'>;
}

/**
 * The daemon's queue consumers, kept in step with the profiles like their workers: one for each
 * `trigger.queue`, and one for each profile with an amqp source (and a target). An edited profile's
 * consumer is stopped (its message in progress finishes first) and started again.
 */
export class QueueIntake {
  private readonly consumers = new Map<string, Consumer>();

  constructor(private readonly ctx: PipelineContext, private readonly slots: RunSlots, private readonly runTarget: (id: string) => HookTarget | undefined, private readonly log: Logger) {}

  /** How many consumers run. */
  get size(): number {
    return this.consumers.size;
  }

  /** Starts, restarts or stops the consumers of one profile to match `loaded` (with `fingerprint`, its version and connections). */
  async update(loaded: LoadedProfile, fingerprint: string): Promise<void> {
    const id = loaded.id;
    const wanted = new Map<string, () => Pick<QueueConsumer, 'stop'>>();
    const queue = loaded.profile.trigger?.queue;
    const triggerConnection = loaded.connections.trigger;
    if (queue !== undefined && triggerConnection !== undefined && loaded.profile.source?.type !== 'amqp') {
      wanted.set(`${id}\ntrigger`, () => startQueueTrigger(id, queue.name, triggerConnection, () => this.runTarget(id), this.log.child({ profile: id, queue: queue.name })));
    }
    if (loaded.profile.source?.type === 'amqp' && loaded.profile.target !== undefined) {
      wanted.set(`${id}\nsource`, () => new QueueSource(loaded, this.ctx, this.slots));
    }
    const changes: Promise<void>[] = [];
    for (const [key, c] of this.consumers) {
      if (!key.startsWith(`${id}\n`)) continue;
      if (wanted.has(key) && c.fingerprint === fingerprint) {
        wanted.delete(key);
        continue;
      }
      this.consumers.delete(key);
      changes.push(c.consumer.stop());
    }
    await Promise.all(changes);
    for (const [key, start] of wanted) this.consumers.set(key, { fingerprint, consumer: start() });
  }

  /** Stops the consumers of a profile that is gone. */
  async remove(id: string): Promise<void> {
    const gone = [...this.consumers].filter(([key]) => key.startsWith(`${id}\n`));
    for (const [key] of gone) this.consumers.delete(key);
    await Promise.all(gone.map(([, c]) => c.consumer.stop()));
  }

  /** The profiles that have a consumer. */
  profiles(): string[] {
    return [...new Set([...this.consumers.keys()].map((k) => k.slice(0, k.indexOf('\n'))))];
  }

  /** Stops every consumer; resolves once their messages in progress are settled. */
  async stop(): Promise<void> {
    const all = [...this.consumers.values()];
    this.consumers.clear();
    await Promise.all(all.map((c) => c.consumer.stop()));
  }
}
