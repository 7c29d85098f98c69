/**
 * Runs (`#/runs?profile=&status=`): newest first, filtered by profile and status; each run opens
 * to its batches, which link to the batch page. Filters live in the address, so a filtered list
 * can be bookmarked or shared.
 */
import { call, describeError, query, seg } from './api.js';
import { badge, el, field, notice, replace, table, time } from './dom.js';
import { href, navigate, type Route } from './router.js';
import { STATUSES, type Batch, type ProfileSummary, type Rows, type Run } from './types.js';

/** `delivered / total`, and the other counts when there are any. */
export function rowsText(r: Rows): string {
  const extra = (['rejected', 'failed', 'skipped'] as const).filter((k) => r[k] > 0).map((k) => `${r[k]} ${k}`);
  return `${r.delivered} of ${r.total} delivered${extra.length === 0 ? '' : `, ${extra.join(', ')}`}`;
}

/** A table of batches with links to their pages. */
export function batchTable(batches: readonly Batch[]): HTMLElement {
  if (batches.length === 0) return el('p', {}, 'No batches (no file was waiting).');
  return table(['Batch', 'File', 'Status', 'State', 'Rows', 'Error', 'Updated'], batches.map((b) => [
    el('a', { href: href('batches', b.id), 'data-testid': `batch-link-${b.id}` }, b.id),
    b.file,
    badge(b.status),
    b.state,
    rowsText(b.rows),
    b.error === null ? '' : `${b.error.code}: ${b.error.message}`,
    time(b.updatedAt),
  ]), { class: 'batches', 'data-testid': 'batches-table' });
}

function runRows(run: Run): HTMLTableRowElement[] {
  const detail = el('tr', { class: 'run-detail', hidden: true }, el('td', { colspan: 8 }, 'Loading…'));
  let loaded = false;
  const toggle = el('button', { type: 'button', class: 'secondary small', 'aria-expanded': 'false', 'data-testid': `run-toggle-${run.id}` }, 'Batches');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    detail.hidden = !open;
    if (!open || loaded) return;
    loaded = true;
    const cell = detail.firstElementChild;
    if (!(cell instanceof HTMLElement)) return;
    call<{ batches: Batch[] }>(`/api/runs/${seg(run.id)}`).then(({ batches }) => replace(cell, batchTable(batches)), (error: unknown) => {
      loaded = false;
      replace(cell, notice('error', describeError(error)));
    });
  });
  const params = Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(', ');
  return [
    el('tr', { 'data-testid': `run-row-${run.id}`, 'data-run': run.id },
      el('td', {}, toggle),
      el('td', {}, el('code', {}, run.id)),
      el('td', {}, el('a', { href: href('profiles', run.profile) }, run.profile)),
      el('td', {}, run.trigger, params === '' ? '' : el('small', { class: 'block' }, params)),
      el('td', {}, badge(run.status)),
      el('td', {}, time(run.startedAt)),
      el('td', {}, time(run.finishedAt)),
      el('td', {}, `${run.batches} batch${run.batches === 1 ? '' : 'es'}; ${rowsText(run.rows)}`)),
    detail,
  ];
}

/** Renders `#/runs`. */
export function renderRuns(root: HTMLElement, route: Route): void {
  const profile = route.query.get('profile') ?? '';
  const status = route.query.get('status') ?? '';
  const profileSelect = el('select', { id: 'filter-profile', name: 'profile', 'data-testid': 'filter-profile' }, el('option', { value: '' }, 'all profiles'));
  if (profile !== '') profileSelect.append(el('option', { value: profile, selected: true }, profile));
  const statusSelect = el('select', { id: 'filter-status', name: 'status', 'data-testid': 'filter-status' },
    el('option', { value: '' }, 'any status'),
    STATUSES.map((s) => el('option', { value: s, selected: s === status }, s)));
  const list = el('div', {}, el('p', {}, 'Loading…'));
  const apply = (): void => navigate(`#/runs${query({ profile: profileSelect.value, status: statusSelect.value })}`);
  profileSelect.addEventListener('change', apply);
  statusSelect.addEventListener('change', apply);
  replace(root,
    el('div', { class: 'title-row' }, el('h1', {}, 'Runs'), el('button', { type: 'button', class: 'secondary', onclick: () => navigate(location.hash) }, 'Refresh')),
    el('form', { class: 'filters', role: 'search', onsubmit: (e: Event) => e.preventDefault() },
      field('Profile', profileSelect), field('Status', statusSelect)),
    list);

  call<{ profiles: ProfileSummary[] }>('/api/profiles').then(({ profiles }) => {
    for (const p of [...profiles].sort((a, b) => a.id.localeCompare(b.id))) {
      if (p.id !== profile) profileSelect.append(el('option', { value: p.id }, p.id));
    }
  }, () => undefined);
  call<{ runs: Run[] }>(`/api/runs${query({ profile, status, limit: 100 })}`).then(({ runs }) => {
    if (runs.length === 0) {
      replace(list, el('p', {}, profile === '' && status === '' ? 'No runs yet.' : 'No runs match the filters.'));
      return;
    }
    replace(list, el('table', { 'data-testid': 'runs-table' },
      el('thead', {}, el('tr', {}, ['', 'Run', 'Profile', 'Trigger', 'Status', 'Started', 'Finished', 'Batches and rows'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, runs.flatMap(runRows))));
    // a link to one run (#/runs?profile=…&run=…) opens it
    const wanted = route.query.get('run');
    const toggle = wanted === null ? null : list.querySelector(`[data-testid="run-toggle-${CSS.escape(wanted)}"]`);
    if (toggle instanceof HTMLButtonElement) {
      toggle.click();
      toggle.scrollIntoView({ block: 'center' });
    }
  }, (error: unknown) => replace(list, notice('error', describeError(error))));
}
