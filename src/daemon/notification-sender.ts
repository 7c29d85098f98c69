import type { Logger } from '../log.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import type { Metrics } from '../metrics/types.js';
import { sendNotification } from '../notify/send-notification.js';
import type { Endpoint } from '../notify/types.js';
import type { Notification, StateStore } from '../store/types.js';

/** Delays between attempts: doubling from the base, capped, with jitter (FERRY_NOTIFY_BASE_DELAY, ms). */
const BASE_DELAY_MS = Number(process.env.FERRY_NOTIFY_BASE_DELAY ?? 5000);
const MAX_DELAY_MS = Number(process.env.FERRY_NOTIFY_MAX_DELAY ?? 3_600_000);
/** How often the outbox is looked at when nothing is due sooner (FERRY_NOTIFY_POLL, ms). */
const POLL_MS = Number(process.env.FERRY_NOTIFY_POLL ?? 1000);
/** Notifications sent at once. */
const PARALLEL = 4;

/**
 * Works off the notification outbox: sends what is due, and records each attempt. A 410 disables
 * the endpoint; an address refused by the SSRF guard or a redirect dead-letters the notification
 * at once; other failures are retried with exponential backoff and full jitter until the entry's
 * `retryFor` has passed, then dead-lettered (visible in `ferry status`, replayable with the same
 * `webhook-id`). Nothing here touches a batch: delivery never changes an outcome.
 */
export class NotificationSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: StateStore,
    private readonly endpointOf: (profile: string, url: string) => Endpoint | undefined,
    private readonly log: Logger,
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Looks at the outbox soon (after a state change wrote to it). */
  poke(): void {
    if (this.running === undefined) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().catch((err: unknown) => this.log.error({ err }, 'sending notifications failed')).finally(() => {
        this.running = undefined;
      });
    }, ms);
  }

  /**
   * One pass over what was due when it began, without scheduling more: `ferry run` uses it to send
   * its notifications before it exits; what fails stays in the outbox for the daemon. The pass asks
   * only for what was due at its start: a retry that falls due meanwhile would otherwise be handed
   * out (and so held for NOTIFICATION_HOLD_MS) by a call that then skips it as already tried.
   */
  async sendDue(): Promise<void> {
    const passStart = Date.now();
    let due = await this.store.dueNotifications(passStart, 50);
    const seen = new Set<string>();
    while (due.length > 0 && !this.stopped) {
      const fresh = due.filter((n) => !seen.has(n.id));
      if (fresh.length === 0) return;
      for (const n of fresh) seen.add(n.id);
      for (let i = 0; i < fresh.length; i += PARALLEL) await Promise.all(fresh.slice(i, i + PARALLEL).map((n) => this.attempt(n)));
      due = await this.store.dueNotifications(passStart, 50);
    }
  }

  private async tick(): Promise<void> {
    await this.sendDue();
    const next = await this.store.nextNotificationAt();
    this.schedule(next === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(0, next - Date.now())));
  }

  private async attempt(n: Notification): Promise<void> {
    const log = this.log.child({ profile: n.profile, notification: n.id, event: n.event });
    const endpoint = this.endpointOf(n.profile, n.url);
    if (endpoint === undefined) {
      await this.store.settleNotification(n.id, { state: 'dead', lastError: `profile ${n.profile} no longer sends to ${n.url}` });
      this.metrics.countNotification('dead');
      return;
    }
    const got = await sendNotification(endpoint.url ?? n.url, n.id, n.body, endpoint, Math.floor(Date.now() / 1000));
    if (got.kind === 'delivered') {
      await this.store.settleNotification(n.id, { state: 'delivered' });
      this.metrics.countNotification('delivered');
      log.debug({ status: got.status }, 'notification delivered');
      return;
    }
    if (got.kind === 'gone') {
      await this.store.disableEndpoint(n.url, n.profile, 'HTTP 410 Gone: the endpoint asked to be disabled');
      this.metrics.countNotification('gone');
      log.warn({ url: n.url }, 'the endpoint answered 410 Gone; it gets no more notifications until one is replayed');
      return;
    }
    if (got.kind === 'refused') {
      await this.store.settleNotification(n.id, { state: 'dead', lastError: got.reason });
      this.metrics.countNotification('dead');
      log.error({ reason: got.reason }, 'notification refused; dead-lettered');
      return;
    }
    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n.attempts);
    const delay = Math.max(got.retryAfterMs ?? 0, Math.round(backoff / 2 + Math.random() * (backoff / 2)));
    const nextAttemptAt = Date.now() + delay;
    if (nextAttemptAt > n.retryUntil) {
      await this.store.settleNotification(n.id, { state: 'dead', lastError: `gave up after ${n.attempts + 1} attempts: ${got.reason}` });
      this.metrics.countNotification('dead');
      log.error({ attempts: n.attempts + 1, reason: got.reason }, 'notification dead-lettered; ferry status lists it, ferry notifications replay sends it again');
      return;
    }
    await this.store.settleNotification(n.id, { state: 'pending', nextAttemptAt, lastError: got.reason });
    this.metrics.countNotification('failed');
    if (n.attempts === 0 || n.attempts % 5 === 4) log.warn({ attempts: n.attempts + 1, reason: got.reason, retryInMs: delay }, 'notification not delivered; retrying');
  }

  /** Stops sending; an attempt in progress finishes (its outcome is recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }
}
