/**
 * Shows what a profile makes of a sample: the records, the requests the target would get, and the
 * rejected rows with every error, as `ferry preview` reports them.
 */
import { el, table } from './dom.js';
import type { Preview } from './types.js';

const json = (v: unknown): string => JSON.stringify(v, null, 2);

/** A cell's text: strings as they are, everything else as JSON (so 12 and "12" can be told apart). */
const cell = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Records as a table with one column per field, in the order the fields first appear. */
function recordsTable(records: Preview['records']): HTMLElement {
  const fields = [...new Set(records.flatMap((r) => Object.keys(r.record)))];
  return el('div', { class: 'scroll' }, table(['Row', ...fields], records.map((r) => [String(r.row), ...fields.map((f) => cell(r.record[f]))]), { 'data-testid': 'preview-records' }));
}

/** The preview as three sections: rejected rows first, because they are what needs fixing. */
export function previewView(p: Preview): HTMLElement {
  const errors = p.rejected.flatMap((r) => r.errors.map((e) => [String(r.row), e.field, e.code, e.message] as const));
  return el('div', { class: 'preview', 'data-testid': 'preview' },
    el('p', { 'data-testid': 'preview-summary' },
      `${p.records.length} record${p.records.length === 1 ? '' : 's'}, ${p.rejected.length} rejected row${p.rejected.length === 1 ? '' : 's'}`,
      p.skipped === undefined || p.skipped.length === 0 ? '' : `, ${p.skipped.length} skipped`,
      `, ${p.requests.length} request${p.requests.length === 1 ? '' : 's'}.`),
    el('h3', {}, 'Rejected rows'),
    errors.length === 0
      ? el('p', {}, 'None.')
      : table(['Row', 'Field', 'Code', 'Message'], errors.map((e) => [...e]), { 'data-testid': 'preview-rejected', class: 'rejected' }),
    p.skipped === undefined || p.skipped.length === 0 ? null : [
      el('h3', {}, 'Skipped rows'),
      table(['Row', 'Reason'], p.skipped.map((s) => [String(s.row), s.reason])),
    ],
    el('h3', {}, 'Records'),
    p.records.length === 0 ? el('p', {}, 'None.') : recordsTable(p.records),
    el('h3', {}, 'Request bodies'),
    p.requests.length === 0
      ? el('p', {}, 'None (the profile has no target, or no row maps to a record).')
      : el('div', { 'data-testid': 'preview-requests' }, p.requests.map((r, i) => el('details', { open: i === 0 },
        el('summary', {}, `${r.method} ${r.url}`),
        el('pre', { class: 'code' }, json(r.body))))));
}
