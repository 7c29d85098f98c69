import type { InstanceInfo, ProfileVersion, ProfileSave, RowProblem, SourceHealth, ScheduleState, ProfileProblems, ArrivalState, Alert, LedgerCounts, NewNotification, Notification, NotificationOutcome, NewAuditEntry, AuditEntry, AuditVerdict, ProfileSaveRequest } from './side-types.js';

export type { InstanceInfo, ProfileVersion, ProfileSave, RowProblem, SourceHealth, ScheduleState, ProfileProblems, ArrivalState, Alert, LedgerCounts, NewNotification, Notification, NotificationOutcome, NewAuditEntry, AuditEntry, AuditVerdict, ProfileSaveRequest } from './side-types.js';

/** Where a batch is in its life. Each state is committed before the side effect that follows it. */
export type BatchState =
  | 'claimed' // the file is ours; nothing copied yet
  | 'staged' // copied into the data dir, size and hash checked
  | 'parsed' // mapped into the spool; rejections counted; chunks known
  | 'delivering' // chunks are being sent; each delivered chunk has its own checkpoint
  | 'delivered' // every chunk has an outcome
  | 'reported' // the result file is in place
  | 'done'; // the source file is settled: terminal

/** The outcome users see: `ferry run --json`, the API and notifications. */
export type BatchStatus = 'running' | 'completed' | 'partial' | 'failed' | 'skipped';

/** One batch: one file through one profile. */
export interface BatchRow {
  readonly id: string;
  readonly runId: string;
  readonly profile: string;
  /** sha256 of the profile file the batch ran with */
  readonly profileVersion: string;
  /** the profile's version number for that content (1, 2, …), when it was registered */
  readonly profileVersionNumber: number | null;
  readonly fileName: string;
  /** `remote`: the file is read through the profile's source connection; `local`: a local path */
  readonly sourceKind: 'local' | 'remote';
  readonly sourcePath: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly contentHash: string | null;
  readonly state: BatchState;
  readonly status: BatchStatus;
  readonly rowsTotal: number;
  readonly rowsDelivered: number;
  readonly rowsRejected: number;
  readonly rowsFailed: number;
  /** rows left out by the profile's filter (or a split row with nothing to split) */
  readonly rowsSkipped: number;
  readonly chunks: number;
  readonly resultFile: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** the batch this one sends again (ferry reprocess) */
  readonly reprocessOf: string | null;
  /** the instance working on it (see StateStore.takeOverBatches), null once nobody holds it */
  readonly owner: string | null;
  /** until when the owner's lease runs (ms, store clock); another instance may take it over after */
  readonly leaseUntil: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A batch about to be created by a claim. */
export type NewBatch = Pick<BatchRow, 'id' | 'runId' | 'profile' | 'profileVersion' | 'fileName' | 'sourcePath' | 'sourceSize' | 'sourceMtimeMs'> & {
  readonly contentHash?: string | null;
  readonly reprocessOf?: string | null;
  readonly sourceKind?: 'local' | 'remote';
};

/** What a batch may change as it moves on. */
export type BatchPatch = Partial<Omit<BatchRow, 'id' | 'runId' | 'profile' | 'createdAt' | 'updatedAt' | 'reprocessOf' | 'profileVersionNumber' | 'owner' | 'leaseUntil'>>;

/** The recorded outcome of one delivered chunk (compact: ids and errors by position). */
export interface ChunkRecord {
  readonly seq: number;
  readonly key: string;
  readonly count: number;
  /** per record: the target id, or null */
  readonly ids: readonly (string | null)[];
  /** per record: the error, or null when delivered */
  readonly errors: readonly (string | null)[];
}

/** A run: one trigger firing (manual, watch, poll, schedule…) and the batches it made. */
export interface RunRow {
  readonly id: string;
  readonly profile: string;
  readonly trigger: string;
  readonly status: BatchStatus;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** the run's parameters as canonical text (dates resolved: `today` is the day the run started) */
  readonly params: Readonly<Record<string, string>>;
}

/** What the batches of one run add up to (see {@link StateStore.runTotals}). */
export interface RunTotals {
  readonly batches: number;
  readonly rowsTotal: number;
  readonly rowsDelivered: number;
  readonly rowsRejected: number;
  readonly rowsFailed: number;
  readonly rowsSkipped: number;
}

/** An earlier batch with the same content, see {@link StateStore.findEarlierContent}. */
export interface EarlierBatch {
  readonly batch: BatchRow;
  /** true when it has not finished yet (it is delivering the content now) */
  readonly inFlight: boolean;
}

/** What a batch becomes once the same-content check has answered; see {@link StateStore.claimContent}. */
export interface ContentDecision {
  readonly patch: BatchPatch;
  /** written to the outbox in the same transaction */
  readonly notifications?: readonly NewNotification[];
}

/**
 * The durable state of ferry. Every method is async so that a networked store (PostgreSQL) fits
 * the same interface; the SQLite one answers synchronously underneath.
 */
export interface StateStore {
  /** creates a run */
  createRun(run: Pick<RunRow, 'id' | 'profile' | 'trigger'> & { params?: Readonly<Record<string, string>> }): Promise<void>;
  /**
   * Ends a run; `notifications` go to the outbox and `watermark` (an export's new `{since}`) is
   * saved in the same transaction.
   */
  finishRun(id: string, status: BatchStatus, extra?: { notifications?: readonly NewNotification[]; watermark?: { profile: string; value: string } }): Promise<void>;
  /** An export's `{since}`: when its last delivered run started. */
  getWatermark(profile: string): Promise<string | undefined>;
  getRun(id: string): Promise<RunRow | undefined>;
  /**
   * Claims a listed file for a new batch, unless a batch for the same listing identity (profile,
   * path, size, mtime) exists already. Returns the new batch, or undefined when already known.
   */
  claimFile(batch: NewBatch): Promise<BatchRow | undefined>;
  /** creates a batch without the listing check (reprocess) */
  createBatch(batch: NewBatch): Promise<BatchRow>;
  /** Updates a batch; `notifications` go to the outbox in the same transaction. */
  updateBatch(id: string, patch: BatchPatch, notifications?: readonly NewNotification[]): Promise<BatchRow>;
  getBatch(id: string): Promise<BatchRow | undefined>;
  /** a finished batch of this profile that processed the same content, if any */
  findProcessedContent(profile: string, contentHash: string, exceptBatch: string): Promise<BatchRow | undefined>;
  /**
   * The same-content check in one query: the earliest batch other than `exceptBatch` that processed
   * this content (as findProcessedContent), else the earliest unfinished one on its way to do so (not
   * a reprocess, not skipped or failed, no error); `inFlight` tells which of the two it is.
   */
  findEarlierContent(profile: string, contentHash: string, exceptBatch: string): Promise<EarlierBatch | undefined>;
  /**
   * The same-content check and its outcome as one step: looks for the earlier batch of `batchId`'s
   * profile with this content (as findEarlierContent) and updates `batchId` with what `decide`
   * makes of the answer, with no other claim of the same profile and content in between, from this
   * instance or any other on the store. Without it two instances staging two copies of a file at
   * once could both find no earlier batch, and both deliver.
   */
  claimContent(batchId: string, profile: string, contentHash: string, decide: (earlier: EarlierBatch | undefined) => ContentDecision): Promise<{ batch: BatchRow; earlier: EarlierBatch | undefined }>;
  /** batches not in a terminal state, whoever holds them */
  listUnfinished(): Promise<BatchRow[]>;
  /** this process's instance id: batches it claims or takes over are leased to it */
  readonly instanceId: string;
  /**
   * Takes over the unfinished batches (of one profile, or all) that no live instance holds: no
   * owner, or another owner whose lease ran out (store clock). They are leased to this instance
   * atomically, so two instances never take the same batch. On SQLite, where one process holds the
   * store, every other owner is a process that is gone.
   */
  takeOverBatches(profile?: string): Promise<BatchRow[]>;
  /** Extends the lease of every unfinished batch this instance holds, and its heartbeat. */
  renewLeases(): Promise<void>;
  /** The instances that used the store recently, alive or not, with what each holds. */
  listInstances(): Promise<InstanceInfo[]>;
  /** newest first; `since` (ms) keeps batches updated at or after it */
  listBatches(query: { limit: number; profile?: string; runId?: string; status?: BatchStatus; since?: number }): Promise<BatchRow[]>;
  listRuns(query: { limit: number; profile?: string; status?: BatchStatus }): Promise<RunRow[]>;
  /**
   * The number of batches and the row counts summed per run, for each of `runIds` that has
   * batches (a run without any is left out): one query for a whole page of runs.
   */
  runTotals(runIds: readonly string[]): Promise<Map<string, RunTotals>>;
  saveChunk(batchId: string, chunk: ChunkRecord): Promise<void>;
  /**
   * The version number of a profile's content: 1 for the first content ever seen, and one more
   * for each new content hash; the same content keeps its number. The profile's text is kept with
   * it, so that a batch can be reprocessed with the version it first ran with.
   */
  profileVersion(profile: string, contentHash: string, content: string): Promise<number>;
  /** The text of a profile version, when it was kept. */
  profileContent(profile: string, contentHash: string): Promise<string | undefined>;
  /**
   * Registers a save of a profile (its version, who, when) and returns the version number; with
   * `audit`, the audit row is appended in the same transaction.
   */
  recordProfileSave(save: ProfileSaveRequest): Promise<number>;
  /** every version of a profile, newest first */
  listProfileVersions(profile: string): Promise<ProfileVersion[]>;
  getProfileVersion(profile: string, version: number): Promise<(ProfileVersion & { content: string | null }) | undefined>;
  /** the saves of a profile, newest first */
  listProfileSaves(profile: string, limit: number): Promise<ProfileSave[]>;
  /**
   * Replaces the recorded row problems of a batch (written with its result file, so a rerun after a
   * crash writes the same list).
   */
  saveRowProblems(batchId: string, rows: readonly RowProblem[]): Promise<void>;
  listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }>;
  recordSourceHealth(health: SourceHealth): Promise<void>;
  listSourceHealth(): Promise<SourceHealth[]>;
  /** Saves a schedule's state; called before the run it stands for starts. */
  saveSchedule(state: Omit<ScheduleState, 'updatedAt'>): Promise<void>;
  /**
   * Claims the fire time `state.lastDue` of a schedule: saves the state only if the stored
   * `lastDue` is earlier (or there is none), and says whether it did. With several instances on
   * one store, exactly one of them gets true for each fire time, and only that one runs it.
   */
  claimScheduleFire(state: Omit<ScheduleState, 'updatedAt'>): Promise<boolean>;
  getSchedule(profile: string): Promise<ScheduleState | undefined>;
  listSchedules(): Promise<ScheduleState[]>;
  /** Records a profile's problems after a reload (an empty list clears them). */
  saveProfileProblems(profile: string, problems: readonly string[]): Promise<void>;
  listProfileProblems(): Promise<ProfileProblems[]>;
  getArrivals(profile: string): Promise<ArrivalState | undefined>;
  saveArrivals(state: ArrivalState): Promise<void>;
  /** Records an alert; `notifications` go to the outbox in the same transaction. */
  addAlert(alert: Omit<Alert, 'id' | 'at'>, notifications?: readonly NewNotification[]): Promise<void>;
  /**
   * Pending notifications due at `now` (ms), oldest first, held for this instance for a while (their
   * next attempt moves a minute on), so that instances sharing the outbox do not send one twice.
   */
  dueNotifications(now: number, limit: number): Promise<Notification[]>;
  /** The earliest next attempt of any pending notification. */
  nextNotificationAt(): Promise<number | undefined>;
  settleNotification(id: string, outcome: NotificationOutcome): Promise<void>;
  /** A 410 from `url`: it takes nothing more; its pending notifications are marked disabled. */
  disableEndpoint(url: string, profile: string, reason: string): Promise<void>;
  /** The disabled endpoints, with why. */
  listDisabledEndpoints(): Promise<{ url: string; profile: string; reason: string; at: number }[]>;
  listNotifications(query: { limit: number; state?: Notification['state'] }): Promise<Notification[]>;
  /** How many notifications the outbox holds in each state (every state present, 0 when none). */
  countNotifications(): Promise<Record<Notification['state'], number>>;
  /**
   * Puts a dead or disabled notification back in line, with the same id (and re-enables its
   * endpoint); with `audit`, the audit row is appended in the same transaction (none when the id
   * is unknown).
   */
  replayNotification(id: string, retryUntil: number, audit?: NewAuditEntry): Promise<Notification | undefined>;
  /**
   * Appends a row to the audit trail, hash-chained to the row before. Appends are serialised
   * (across instances on PostgreSQL), so the chain stays linear.
   */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** The audit trail, newest first; `before` keeps rows with a smaller seq. */
  listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]>;
  /** Walks the audit chain from the first row: ok, or the first broken row and why. */
  verifyAudit(): Promise<AuditVerdict>;
  listAlerts(query: { limit: number; profile?: string }): Promise<Alert[]>;
  /** Totals by profile and status (batches, rows) and by profile and kind (alerts). */
  ledgerCounts(): Promise<LedgerCounts>;
  listChunks(batchId: string): Promise<ChunkRecord[]>;
  /** the sequence numbers of the chunks with a recorded outcome */
  listChunkSeqs(batchId: string): Promise<number[]>;
  getChunk(batchId: string, seq: number): Promise<ChunkRecord | undefined>;
  close(): Promise<void>;
}
