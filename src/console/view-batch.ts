/**
 * One batch (`#/batches/<id>?offset=`): its counts and error, the rows that were not delivered
 * (paged), the result file, and reprocessing.
 */
import { callRaw, call, describeError, seg } from './api.js';
import { badge, el, notice, replace, table, time } from './dom.js';
import { errorNotice } from './problems.js';
import { href, navigate, type Route } from './router.js';
import { rowsText } from './view-runs.js';
import type { Batch, RowProblem } from './types.js';

const PAGE = 50;

interface BatchAnswer {
  readonly batch: Batch;
  readonly rows: RowProblem[];
  readonly rowsTotal: number;
  /** false when the result file is gone (or was never written) */
  readonly resultAvailable?: boolean;
}

interface ReprocessAnswer {
  readonly run: string;
  readonly batch: string;
  readonly reprocessOf: string;
}

/** The runs page, filtered to the run's profile, with the run opened. */
function runHref(profile: string, run: string): string {
  return `#/runs?profile=${encodeURIComponent(profile)}&run=${encodeURIComponent(run)}`;
}

/** The file name of a result path, for the download's name. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? 'result';
}

/** Fetches the result file with the token and hands it to the browser as a download. */
async function download(batch: Batch): Promise<void> {
  const res = await callRaw(`/api/batches/${seg(batch.id)}/result`);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: baseName(batch.resultFile ?? `${batch.id}.result.csv`), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // revoked a little later: some browsers start reading the blob only after the click returns
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function facts(b: Batch): HTMLElement {
  const items: [string, Node | string][] = [
    ['Profile', el('a', { href: href('profiles', b.profile) }, b.profile)],
    ['Run', el('a', { href: runHref(b.profile, b.run) }, b.run)],
    ['File', b.file],
    ['Status', badge(b.status)],
    ['State', b.state],
    ['Rows', rowsText(b.rows)],
    ['Profile version', b.profileVersion === null ? '—' : String(b.profileVersion)],
    ['Created', time(b.createdAt)],
    ['Updated', time(b.updatedAt)],
  ];
  if (b.reprocessOf !== null) items.push(['Reprocess of', el('a', { href: href('batches', b.reprocessOf) }, b.reprocessOf)]);
  return el('dl', { class: 'facts', 'data-testid': 'batch-facts' }, items.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** Renders `#/batches/<id>`. */
export function renderBatch(root: HTMLElement, route: Route): void {
  const id = route.path[1] ?? '';
  const offset = Math.max(0, Number(route.query.get('offset') ?? '0') || 0);
  replace(root, el('h1', {}, 'Batch ', el('code', {}, id)), el('p', {}, 'Loading…'));
  call<BatchAnswer>(`/api/batches/${seg(id)}?limit=${PAGE}&offset=${offset}`).then(({ batch, rows, rowsTotal, resultAvailable }) => {
    const hasResult = resultAvailable ?? batch.resultFile !== null;
    const actionMessage = el('div', { 'aria-live': 'polite', 'data-testid': 'batch-message' });
    const downloadButton = el('button', { type: 'button', class: 'secondary', 'data-testid': 'download-result', disabled: !hasResult }, 'Download result file');
    downloadButton.addEventListener('click', () => {
      download(batch).then(() => replace(actionMessage), (error: unknown) => replace(actionMessage, notice('error', describeError(error))));
    });
    const original = el('input', { type: 'checkbox', id: 'original-version', 'data-testid': 'original-version' });
    const reprocess = el('button', { type: 'button', 'data-testid': 'reprocess' }, 'Reprocess');
    reprocess.addEventListener('click', () => {
      reprocess.disabled = true;
      replace(actionMessage, notice('info', 'Starting the reprocess…'));
      call<ReprocessAnswer>(`/api/batches/${seg(batch.id)}/reprocess`, { method: 'POST', json: { originalVersion: original.checked } })
        .then((answer) => replace(actionMessage, notice('ok', 'Reprocess started: run ',
          el('a', { href: runHref(batch.profile, answer.run), 'data-testid': 'reprocess-run' }, answer.run),
          ', batch ', el('a', { href: href('batches', answer.batch), 'data-testid': 'reprocess-batch' }, answer.batch), '.')),
        (error: unknown) => replace(actionMessage, errorNotice(error)))
        .finally(() => {
          reprocess.disabled = false;
        });
    });

    const pager = (where: string): HTMLElement | null => (rowsTotal <= PAGE ? null : el('nav', { class: 'pager', 'aria-label': `Pages of rows (${where})` },
      el('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => navigate(`${href('batches', id)}?offset=${Math.max(0, offset - PAGE)}`) }, 'Previous'),
      el('span', {}, `rows ${offset + 1}–${Math.min(offset + rows.length, rowsTotal)} of ${rowsTotal}`),
      el('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= rowsTotal, onclick: () => navigate(`${href('batches', id)}?offset=${offset + PAGE}`) }, 'Next')));

    replace(root,
      el('div', { class: 'title-row' }, el('h1', {}, 'Batch ', el('code', {}, batch.id)), badge(batch.status)),
      facts(batch),
      batch.error === null ? null : notice('error', el('strong', {}, batch.error.code), ': ', batch.error.message),
      el('section', { class: 'actions-panel', 'aria-label': 'Actions' },
        el('div', { class: 'actions' },
          downloadButton,
          reprocess,
          el('label', { class: 'check' }, original, ' with the profile version it was processed with (default: the current one)')),
        hasResult ? null : el('p', { class: 'hint' }, batch.resultFile === null ? 'No result file was written for this batch.' : 'The result file is no longer kept.'),
        actionMessage),
      el('section', { 'aria-labelledby': 'rows-title' },
        el('h2', { id: 'rows-title' }, `Rows not delivered (${rowsTotal})`),
        rowsTotal === 0
          ? el('p', {}, 'Every row was delivered.')
          : [pager('above'), table(['Row', 'Status', 'Key', 'Error'], rows.map((r) => [String(r.row), badge(r.status), r.key ?? '', r.error]), { 'data-testid': 'batch-rows' }), pager('below')]));
  }, (error: unknown) => replace(root, el('h1', {}, 'Batch ', el('code', {}, id)), notice('error', describeError(error)), el('a', { href: '#/runs' }, 'Back to the runs')));
}
