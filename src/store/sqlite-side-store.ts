import type Database from 'better-sqlite3';

import { SqliteAdminTables } from './sqlite-admin-tables.js';
import { SqliteAudit } from './sqlite-audit.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteSideTables } from './sqlite-side-tables.js';
import type { Alert, ArrivalState, AuditEntry, AuditVerdict, LedgerCounts, NewAuditEntry, NewNotification, Notification, NotificationOutcome, ProfileProblems, ProfileSave, ProfileSaveRequest, ProfileVersion, RowProblem, ScheduleState, SourceHealth } from './types.js';

/**
 * The SQLite store's side records (source health, alerts, the notification outbox, schedules,
 * profile versions and saves, row problems, the audit trail), each kept by its own table class;
 * {@link SqliteStore} adds the ledger of runs, batches and chunks and the instance's leases.
 */
export abstract class SqliteSideStore {
  private readonly statements = new Map<string, Database.Statement>();
  protected readonly outbox: SqliteOutbox;
  protected readonly side: SqliteSideTables;
  protected readonly admin: SqliteAdminTables;
  protected readonly audit: SqliteAudit;

  protected constructor(protected readonly db: Database.Database) {
    this.outbox = new SqliteOutbox(db, (sql) => this.stmt(sql));
    this.side = new SqliteSideTables(db, (sql) => this.stmt(sql));
    this.admin = new SqliteAdminTables(db, (sql) => this.stmt(sql), (p, h, c) => this.side.profileVersion(p, h, c));
    this.audit = new SqliteAudit(db, (sql) => this.stmt(sql));
  }

  /** A prepared statement, prepared once: preparing costs more than running most of these. */
  protected stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  async profileVersion(profile: string, contentHash: string, content: string): Promise<number> {
    return this.side.profileVersion(profile, contentHash, content);
  }

  async profileContent(profile: string, contentHash: string): Promise<string | undefined> {
    return this.side.profileContent(profile, contentHash);
  }

  async recordSourceHealth(h: SourceHealth): Promise<void> {
    this.side.recordSourceHealth(h);
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    return this.side.listSourceHealth();
  }

  async addAlert(a: Omit<Alert, 'id' | 'at'>, notifications: readonly NewNotification[] = []): Promise<void> {
    this.db.transaction(() => {
      this.stmt('INSERT INTO alerts (profile, kind, message, batch_id, at) VALUES (?, ?, ?, ?, ?)').run(a.profile, a.kind, a.message, a.batchId, Date.now());
      this.outbox.insert(notifications, Date.now());
    }).immediate();
  }

  async dueNotifications(now: number, limit: number): Promise<Notification[]> {
    return this.outbox.due(now, limit);
  }

  async nextNotificationAt(): Promise<number | undefined> {
    return this.outbox.nextAt();
  }

  async settleNotification(id: string, outcome: NotificationOutcome): Promise<void> {
    this.outbox.settle(id, outcome, Date.now());
  }

  async disableEndpoint(url: string, profile: string, reason: string): Promise<void> {
    this.outbox.disable(url, profile, reason, Date.now());
  }

  async listDisabledEndpoints(): Promise<{ url: string; profile: string; reason: string; at: number }[]> {
    return this.outbox.disabled();
  }

  async listNotifications(q: { limit: number; state?: Notification['state'] }): Promise<Notification[]> {
    return this.outbox.list(q);
  }

  async countNotifications(): Promise<Record<Notification['state'], number>> {
    return this.outbox.counts();
  }

  async replayNotification(id: string, retryUntil: number, audit?: NewAuditEntry): Promise<Notification | undefined> {
    return this.db.transaction(() => {
      const n = this.outbox.replay(id, retryUntil, Date.now());
      if (n !== undefined && audit !== undefined) this.audit.append({ ...audit, detail: { ...audit.detail, event: n.event, profile: n.profile } });
      return n;
    }).immediate();
  }

  async saveSchedule(st: Omit<ScheduleState, 'updatedAt'>): Promise<void> {
    return this.side.saveSchedule(st);
  }

  async getSchedule(profile: string): Promise<ScheduleState | undefined> {
    return this.side.getSchedule(profile);
  }

  async listSchedules(): Promise<ScheduleState[]> {
    return this.side.listSchedules();
  }

  async saveProfileProblems(profile: string, problems: readonly string[]): Promise<void> {
    return this.side.saveProfileProblems(profile, problems);
  }

  async listProfileProblems(): Promise<ProfileProblems[]> {
    return this.side.listProfileProblems();
  }

  async getArrivals(profile: string): Promise<ArrivalState | undefined> {
    return this.side.getArrivals(profile);
  }

  async saveArrivals(a: ArrivalState): Promise<void> {
    return this.side.saveArrivals(a);
  }

  async listAlerts(q: { limit: number; profile?: string }): Promise<Alert[]> {
    return this.side.listAlerts(q);
  }

  async recordProfileSave(save: ProfileSaveRequest): Promise<number> {
    return this.db.transaction((): number => {
      const version = this.admin.recordProfileSave(save);
      if (save.audit !== undefined) this.audit.append({ ...save.audit, detail: { ...save.audit.detail, version, contentHash: save.contentHash } });
      return version;
    }).immediate();
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.audit.append(entry);
  }

  async listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }

  async verifyAudit(): Promise<AuditVerdict> {
    return this.audit.verify();
  }

  async listProfileVersions(profile: string): Promise<ProfileVersion[]> {
    return this.admin.listProfileVersions(profile);
  }

  async getProfileVersion(profile: string, version: number): Promise<(ProfileVersion & { content: string | null }) | undefined> {
    return this.admin.getProfileVersion(profile, version);
  }

  async listProfileSaves(profile: string, limit: number): Promise<ProfileSave[]> {
    return this.admin.listProfileSaves(profile, limit);
  }

  async saveRowProblems(batchId: string, rows: readonly RowProblem[]): Promise<void> {
    this.admin.saveRowProblems(batchId, rows);
  }

  async listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }> {
    return this.admin.listRowProblems(batchId, page);
  }

  async ledgerCounts(): Promise<LedgerCounts> {
    return this.side.ledgerCounts();
  }
}
