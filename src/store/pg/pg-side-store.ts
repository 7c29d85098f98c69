import type pg from 'pg';

import type { Alert, ArrivalState, AuditEntry, AuditVerdict, LedgerCounts, NewAuditEntry, NewNotification, Notification, NotificationOutcome, ProfileProblems, ProfileSave, ProfileSaveRequest, ProfileVersion, RowProblem, ScheduleState, SourceHealth } from '../types.js';
import { PgAdminTables } from './pg-admin-tables.js';
import { PgAudit } from './pg-audit.js';
import { PgOutbox } from './pg-outbox.js';
import { PgSideTables } from './pg-side-tables.js';
import { inPgTransaction } from './pg-transaction.js';
import type { Queryable } from './types.js';

/**
 * The PostgreSQL store's side records (profile versions and saves, the audit trail, row problems,
 * source health, schedules, arrivals, alerts, the notification outbox), each kept by its own
 * table class; {@link PgStore} adds the ledger of runs, batches and chunks and the leases.
 */
export abstract class PgSideStore {
  protected readonly side: PgSideTables;
  protected readonly admin: PgAdminTables;
  protected readonly outbox: PgOutbox;

  protected constructor(protected readonly pool: pg.Pool) {
    this.side = new PgSideTables(pool);
    this.admin = new PgAdminTables(pool);
    this.outbox = new PgOutbox(pool);
  }

  protected transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    return inPgTransaction(this.pool, work);
  }

  async profileVersion(profile: string, contentHash: string, content: string): Promise<number> {
    return this.transaction((client) => new PgSideTables(client).profileVersion(profile, contentHash, content));
  }

  async profileContent(profile: string, contentHash: string): Promise<string | undefined> {
    return this.side.profileContent(profile, contentHash);
  }

  async recordProfileSave(save: ProfileSaveRequest): Promise<number> {
    return this.transaction(async (client) => {
      const version = await new PgSideTables(client).profileVersion(save.profile, save.contentHash, save.content);
      await new PgAdminTables(client).insertProfileSave(save, version);
      if (save.audit !== undefined) await new PgAudit(client).append({ ...save.audit, detail: { ...save.audit.detail, version, contentHash: save.contentHash } });
      return version;
    });
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.transaction((client) => new PgAudit(client).append(entry));
  }

  async listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return new PgAudit(this.pool).list(query);
  }

  async verifyAudit(): Promise<AuditVerdict> {
    // one snapshot: rows appended while walking do not make the walk see a half-written chain
    return this.transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return new PgAudit(client).verify();
    });
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
    await this.transaction((client) => new PgAdminTables(client).saveRowProblems(batchId, rows));
  }

  async listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }> {
    return this.admin.listRowProblems(batchId, page);
  }

  async recordSourceHealth(health: SourceHealth): Promise<void> {
    await this.side.recordSourceHealth(health);
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    return this.side.listSourceHealth();
  }

  async saveSchedule(state: Omit<ScheduleState, 'updatedAt'>): Promise<void> {
    await this.side.saveSchedule(state);
  }

  async getSchedule(profile: string): Promise<ScheduleState | undefined> {
    return this.side.getSchedule(profile);
  }

  async listSchedules(): Promise<ScheduleState[]> {
    return this.side.listSchedules();
  }

  async saveProfileProblems(profile: string, problems: readonly string[]): Promise<void> {
    await this.side.saveProfileProblems(profile, problems);
  }

  async listProfileProblems(): Promise<ProfileProblems[]> {
    return this.side.listProfileProblems();
  }

  async getArrivals(profile: string): Promise<ArrivalState | undefined> {
    return this.side.getArrivals(profile);
  }

  async saveArrivals(state: ArrivalState): Promise<void> {
    await this.side.saveArrivals(state);
  }

  async addAlert(alert: Omit<Alert, 'id' | 'at'>, notifications: readonly NewNotification[] = []): Promise<void> {
    await this.transaction(async (client) => {
      await new PgSideTables(client).addAlert(alert);
      await new PgOutbox(client).insert(notifications, Date.now());
    });
  }

  async listAlerts(query: { limit: number; profile?: string }): Promise<Alert[]> {
    return this.side.listAlerts(query);
  }

  async ledgerCounts(): Promise<LedgerCounts> {
    return this.side.ledgerCounts();
  }

  async dueNotifications(now: number, limit: number): Promise<Notification[]> {
    return this.outbox.due(now, limit);
  }

  async nextNotificationAt(): Promise<number | undefined> {
    return this.outbox.nextAt();
  }

  async settleNotification(id: string, outcome: NotificationOutcome): Promise<void> {
    await this.outbox.settle(id, outcome, Date.now());
  }

  async disableEndpoint(url: string, profile: string, reason: string): Promise<void> {
    await this.transaction((client) => new PgOutbox(client).disable(url, profile, reason, Date.now()));
  }

  async listDisabledEndpoints(): Promise<{ url: string; profile: string; reason: string; at: number }[]> {
    return this.outbox.disabled();
  }

  async listNotifications(query: { limit: number; state?: Notification['state'] }): Promise<Notification[]> {
    return this.outbox.list(query);
  }

  async countNotifications(): Promise<Record<Notification['state'], number>> {
    return this.outbox.counts();
  }

  async replayNotification(id: string, retryUntil: number, audit?: NewAuditEntry): Promise<Notification | undefined> {
    return this.transaction(async (client) => {
      const n = await new PgOutbox(client).replay(id, retryUntil, Date.now());
      if (n !== undefined && audit !== undefined) await new PgAudit(client).append({ ...audit, detail: { ...audit.detail, event: n.event, profile: n.profile } });
      return n;
    });
  }
}
