import type { AuditEntry, AuditVerdict } from '../store/types.js';
import { auditQuery, parseQuery } from './api-schemas.js';
import type { Route } from './router.js';
import { sendJson } from './run-request.js';
import type { AdminContext } from './types.js';

/** An audit row as the API and `ferry audit --json` show it. */
export function auditView(e: AuditEntry): Record<string, unknown> {
  return { seq: e.seq, at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, subject: e.subject, detail: e.detail, prevHash: e.prevHash, hash: e.hash };
}

/** A verdict as the API and `ferry audit --verify --json` show it (with the stable error code when broken). */
export function verdictView(v: AuditVerdict): Record<string, unknown> {
  return v.ok ? { ok: true, checked: v.checked } : { ok: false, code: 'E_AUDIT_BROKEN', seq: v.seq, reason: v.reason, checked: v.checked };
}

/**
 * `GET /api/audit[?limit=50&before=<seq>]`: the audit trail, newest first, and
 * `GET /api/audit/verify`: the walk of its hash chain. Read tokens may see both: the trail holds
 * no secrets (details are masked when written).
 */
export function auditRoutes(ctx: AdminContext): Route[] {
  return [
    {
      method: 'GET', path: /^\/api\/audit$/, access: 'api',
      handle: async ({ res, url }) => {
        const q = parseQuery(res, url, auditQuery);
        if (q === undefined) return;
        const entries = await ctx.store.listAudit({ limit: q.limit, ...(q.before === undefined ? {} : { before: q.before }) });
        const last = entries.at(-1);
        sendJson(res, 200, { entries: entries.map(auditView), next: last === undefined || entries.length < q.limit || last.seq <= 1 ? null : last.seq });
      },
    },
    {
      method: 'GET', path: /^\/api\/audit\/verify$/, access: 'api',
      handle: async ({ res }) => sendJson(res, 200, verdictView(await ctx.store.verifyAudit())),
    },
  ];
}
