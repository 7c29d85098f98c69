import type { ProfileSave, ProfileVersion, RowProblem } from '../types.js';
import type { Queryable } from './types.js';

/** Row problems are inserted this many at a time (one statement of arrays each). */
const INSERT_SLICE = 5000;

interface VersionDbRow {
  version: number; content_hash: string; first_seen: number; saved_by: string | null; saved_at: number | null; note: string | null;
}

/**
 * Profile saves and the row problems of each batch, on PostgreSQL. The writes that must be whole
 * (a save with its version number, a batch's list of problems) run on a transaction's client.
 */
export class PgAdminTables {
  constructor(private readonly db: Queryable) {}

  /** Run it in the transaction that assigned `version`. */
  async insertProfileSave(save: { profile: string; contentHash: string; savedBy: string; note?: string | null }, version: number): Promise<void> {
    await this.db.query('INSERT INTO profile_saves (profile, version, content_hash, saved_by, saved_at, note) VALUES ($1, $2, $3, $4, $5, $6)',
      [save.profile, version, save.contentHash, save.savedBy, Date.now(), save.note ?? null]);
  }

  async listProfileVersions(profile: string): Promise<ProfileVersion[]> {
    // the latest save of each version says who made it current last
    const rows = (await this.db.query<VersionDbRow>(`SELECT v.version, v.content_hash, v.first_seen, s.saved_by, s.saved_at, s.note FROM profile_versions v
      LEFT JOIN profile_saves s ON s.id = (SELECT max(id) FROM profile_saves WHERE profile = v.profile AND content_hash = v.content_hash)
      WHERE v.profile = $1 ORDER BY v.version DESC`, [profile])).rows;
    return rows.map((r) => ({ version: r.version, contentHash: r.content_hash, firstSeen: r.first_seen, savedBy: r.saved_by, savedAt: r.saved_at, note: r.note }));
  }

  async getProfileVersion(profile: string, version: number): Promise<(ProfileVersion & { content: string | null }) | undefined> {
    const found = (await this.listProfileVersions(profile)).find((v) => v.version === version);
    if (found === undefined) return undefined;
    const r = (await this.db.query<{ content: string | null }>('SELECT content FROM profile_versions WHERE profile = $1 AND version = $2', [profile, version])).rows[0];
    return { ...found, content: r?.content ?? null };
  }

  async listProfileSaves(profile: string, limit: number): Promise<ProfileSave[]> {
    const rows = (await this.db.query<{ version: number; content_hash: string; saved_by: string; saved_at: number; note: string | null }>(
      'SELECT version, content_hash, saved_by, saved_at, note FROM profile_saves WHERE profile = $1 ORDER BY id DESC LIMIT $2', [profile, limit])).rows;
    return rows.map((r) => ({ version: r.version, contentHash: r.content_hash, savedBy: r.saved_by, savedAt: r.saved_at, note: r.note }));
  }

  /** Run it in a transaction: the old list goes and the new one comes in one commit. */
  async saveRowProblems(batchId: string, rows: readonly RowProblem[]): Promise<void> {
    await this.db.query('DELETE FROM row_problems WHERE batch_id = $1', [batchId]);
    for (let start = 0; start < rows.length; start += INSERT_SLICE) {
      const slice = rows.slice(start, start + INSERT_SLICE);
      await this.db.query(`INSERT INTO row_problems (batch_id, row, seq, status, key, error)
        SELECT $1, * FROM unnest($2::integer[], $3::integer[], $4::text[], $5::text[], $6::text[])`,
      [batchId, slice.map((r) => r.row), slice.map((_, i) => start + i), slice.map((r) => r.status), slice.map((r) => r.key), slice.map((r) => r.error)]);
    }
  }

  async listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }> {
    const rows = (await this.db.query<RowProblem>('SELECT row, status, key, error FROM row_problems WHERE batch_id = $1 ORDER BY seq LIMIT $2 OFFSET $3', [batchId, page.limit, page.offset])).rows;
    const total = (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM row_problems WHERE batch_id = $1', [batchId])).rows[0]?.n ?? 0;
    return { rows, total };
  }
}
