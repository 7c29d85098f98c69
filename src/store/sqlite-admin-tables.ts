import type Database from 'better-sqlite3';

import type { ProfileSave, ProfileVersion, RowProblem } from './types.js';

/** Tables the admin API reads: who saved which profile version, and the rows a batch did not deliver. */
export const ADMIN_SCHEMA = `
CREATE TABLE IF NOT EXISTS profile_saves (
  id INTEGER PRIMARY KEY AUTOINCREMENT, profile TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
  saved_by TEXT NOT NULL, saved_at INTEGER NOT NULL, note TEXT
);
CREATE INDEX IF NOT EXISTS profile_saves_profile ON profile_saves (profile, id);
CREATE TABLE IF NOT EXISTS row_problems (
  batch_id TEXT NOT NULL, row INTEGER NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, key TEXT, error TEXT NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
`;

interface VersionDbRow {
  version: number; content_hash: string; first_seen: number; saved_by: string | null; saved_at: number | null; note: string | null;
}

/**
 * Profile saves (every save through the API or seen on disk, with who and when) and the row
 * problems of each batch. Synchronous underneath; SqliteStore wraps each call.
 */
export class SqliteAdminTables {
  constructor(private readonly db: Database.Database, private readonly stmt: (sql: string) => Database.Statement, private readonly assignVersion: (profile: string, hash: string, content: string) => number) {}

  recordProfileSave(save: { profile: string; contentHash: string; content: string; savedBy: string; note?: string | null }): number {
    return this.db.transaction((): number => {
      const version = this.assignVersion(save.profile, save.contentHash, save.content);
      this.stmt('INSERT INTO profile_saves (profile, version, content_hash, saved_by, saved_at, note) VALUES (?, ?, ?, ?, ?, ?)')
        .run(save.profile, version, save.contentHash, save.savedBy, Date.now(), save.note ?? null);
      return version;
    }).immediate();
  }

  listProfileVersions(profile: string): ProfileVersion[] {
    // the latest save of each version says who made it current last
    const rows = this.stmt(`SELECT v.version, v.content_hash, v.first_seen, s.saved_by, s.saved_at, s.note FROM profile_versions v
      LEFT JOIN profile_saves s ON s.id = (SELECT MAX(id) FROM profile_saves WHERE profile = v.profile AND content_hash = v.content_hash)
      WHERE v.profile = ? ORDER BY v.version DESC`).all(profile) as VersionDbRow[];
    return rows.map((r) => ({ version: r.version, contentHash: r.content_hash, firstSeen: r.first_seen, savedBy: r.saved_by, savedAt: r.saved_at, note: r.note }));
  }

  getProfileVersion(profile: string, version: number): (ProfileVersion & { content: string | null }) | undefined {
    const found = this.listProfileVersions(profile).find((v) => v.version === version);
    if (found === undefined) return undefined;
    const row = this.stmt('SELECT content FROM profile_versions WHERE profile = ? AND version = ?').get(profile, version) as { content: string | null } | undefined;
    return { ...found, content: row?.content ?? null };
  }

  listProfileSaves(profile: string, limit: number): ProfileSave[] {
    const rows = this.stmt('SELECT version, content_hash, saved_by, saved_at, note FROM profile_saves WHERE profile = ? ORDER BY id DESC LIMIT ?').all(profile, limit) as
      { version: number; content_hash: string; saved_by: string; saved_at: number; note: string | null }[];
    return rows.map((r) => ({ version: r.version, contentHash: r.content_hash, savedBy: r.saved_by, savedAt: r.saved_at, note: r.note }));
  }

  saveRowProblems(batchId: string, rows: readonly RowProblem[]): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM row_problems WHERE batch_id = ?').run(batchId);
      const insert = this.stmt('INSERT INTO row_problems (batch_id, row, seq, status, key, error) VALUES (?, ?, ?, ?, ?, ?)');
      rows.forEach((r, seq) => insert.run(batchId, r.row, seq, r.status, r.key, r.error));
    }).immediate();
  }

  listRowProblems(batchId: string, page: { limit: number; offset: number }): { rows: RowProblem[]; total: number } {
    const rows = this.stmt('SELECT row, status, key, error FROM row_problems WHERE batch_id = ? ORDER BY seq LIMIT ? OFFSET ?').all(batchId, page.limit, page.offset) as RowProblem[];
    const total = (this.stmt('SELECT COUNT(*) AS n FROM row_problems WHERE batch_id = ?').get(batchId) as { n: number }).n;
    return { rows, total };
  }
}
