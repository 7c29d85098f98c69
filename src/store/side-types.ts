/**
 * The records the state store keeps beside runs, batches and chunks: instances, profile versions
 * and saves, row problems, source health, schedules, alerts, counters and the notification outbox.
 * Re-exported by types.ts, the folder's one import point.
 */
import type { BatchStatus } from './types.js';

/** A daemon process using the store. */
export interface InstanceInfo {
  /** `<host>:<pid>:<random>`, new at every start */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  /** its last heartbeat (ms, store clock) */
  readonly lastSeenAt: number;
  /** heartbeat within the lease time */
  readonly alive: boolean;
  /** the unfinished batches it holds */
  readonly holds: readonly string[];
}

/** A profile version (one per distinct content) with its latest save. */
export interface ProfileVersion {
  readonly version: number;
  readonly contentHash: string;
  /** when ferry first saw this content (ms) */
  readonly firstSeen: number;
  /** who saved it last: an API token's name, `disk` for an edit seen on disk; null before saves were recorded */
  readonly savedBy: string | null;
  readonly savedAt: number | null;
  readonly note: string | null;
}

/** One save of a profile (through the API, a rollback, or an edit seen on disk). */
export interface ProfileSave {
  readonly version: number;
  readonly contentHash: string;
  readonly savedBy: string;
  readonly savedAt: number;
  readonly note: string | null;
}

/** A source row a batch did not deliver, with why (as its line in the result file). */
export interface RowProblem {
  readonly row: number;
  readonly status: 'rejected' | 'failed' | 'skipped';
  readonly key: string | null;
  readonly error: string;
}

/** How a profile's source looked at its last poll; written by the daemon, read by status and /healthz. */
export interface SourceHealth {
  readonly profile: string;
  /** the connection, e.g. `sftp://ferry@host:22` or `local:/srv/inbox` */
  readonly connection: string;
  readonly state: 'ok' | 'down';
  readonly lastPollAt: number;
  readonly lastOkAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  /** files seen but not yet complete */
  readonly waiting: number;
  /** the process that polls it */
  readonly pid: number;
}

/** The persisted state of one profile's cron schedule. */
export interface ScheduleState {
  readonly profile: string;
  readonly expression: string;
  readonly timeZone: string;
  /**
   * The fire time (ms) of the last run started, or when ferry first saw the schedule: a fire time
   * after it that passed while the daemon was down is made up once at start-up.
   */
  readonly lastDue: number;
  /** the next fire time as last planned (ms), for `ferry status` */
  readonly nextDue: number | null;
  readonly updatedAt: number;
}

/** A profile whose file was edited into an invalid state while the daemon runs its last valid version. */
export interface ProfileProblems {
  readonly profile: string;
  /** `ferry check` lines */
  readonly problems: readonly string[];
  /** when the edit was first seen (ms) */
  readonly since: number;
}

/** What the expected-arrival watch of a profile remembers; times on the daemon clock (ms). */
export interface ArrivalState {
  readonly profile: string;
  /** deadlines before this are not judged: nobody was watching */
  readonly watchingSince: number;
  readonly lastArrival: number | null;
  /** the deadline a warning or a missing-file alert was last raised for */
  readonly lastWarnedFor: number | null;
  readonly lastMissingFor: number | null;
}

/** Something an operator should look at: a missing or late file, an empty or unusual one. */
export interface Alert {
  readonly id: number;
  readonly profile: string;
  /** `file.missing`, `file.late`, `file.empty`, `file.unusual` */
  readonly kind: string;
  readonly message: string;
  readonly batchId: string | null;
  readonly at: number;
}

/** Counters for `/metrics`, summed over the whole ledger. */
export interface LedgerCounts {
  readonly batches: readonly { profile: string; status: BatchStatus; count: number; rowsTotal: number; rowsDelivered: number; rowsRejected: number; rowsFailed: number; rowsSkipped: number }[];
  readonly alerts: readonly { profile: string; kind: string; count: number }[];
  /** batches that ended with an error code, by profile and code */
  readonly errors: readonly { profile: string; code: string; count: number }[];
}

/** A notification to write to the outbox with the state change it reports. */
export interface NewNotification {
  /** the `webhook-id`: the same on every attempt and on a replay */
  readonly id: string;
  readonly profile: string;
  readonly url: string;
  /** `batch.completed`, `file.missing`, … */
  readonly event: string;
  /** the JSON body, exactly as it is sent and signed */
  readonly body: string;
  readonly batchId: string | null;
  /** after this (ms) a failing notification is dead-lettered */
  readonly retryUntil: number;
}

/** A notification in the outbox. */
export interface Notification extends NewNotification {
  readonly state: 'pending' | 'delivered' | 'dead' | 'disabled';
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

/** What became of one delivery attempt. */
export type NotificationOutcome =
  | { readonly state: 'delivered' }
  | { readonly state: 'pending'; readonly nextAttemptAt: number; readonly lastError: string }
  | { readonly state: 'dead'; readonly lastError: string };

/** An admin change to record in the audit trail (see StateStore.appendAudit). */
export interface NewAuditEntry {
  /** an API token's name, `cli`, `disk` (an edit seen on disk) or `daemon` */
  readonly actor: string;
  /** `profile.save`, `profile.rollback`, `profile.disk-edit`, `run.manual`, `batch.reprocess`, `notification.replay` */
  readonly action: string;
  /** what it was done to: a profile id, a batch id, a notification id */
  readonly subject: string;
  /** a small JSON object; never secrets (the callers mask them) */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A row of the append-only audit trail, hash-chained to the row before. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/** What a walk of the audit chain found: intact, or the first row where it breaks and why. */
export type AuditVerdict =
  | { readonly ok: true; readonly checked: number }
  | { readonly ok: false; readonly seq: number; readonly reason: string; readonly checked: number };

/** A profile save to register (StateStore.recordProfileSave), with its audit row when it is an admin change. */
export interface ProfileSaveRequest {
  readonly profile: string;
  readonly contentHash: string;
  readonly content: string;
  readonly savedBy: string;
  readonly note?: string | null;
  /** written in the save's transaction, its detail completed with the version and content hash */
  readonly audit?: NewAuditEntry;
}
