/**
 * The mapping editor (`#/new`): upload a sample, see what was detected, choose a target field, type
 * and rules per column, watch the live preview, and save the result as a new profile.
 */
import { ApiError, call, seg } from './api.js';
import { el, field, notice, replace, table } from './dom.js';
import { mappingTable } from './mapping-table.js';
import { buildProfileYaml, choiceFromGuess, fieldNameOf, guessType, mappingProblems, profileIdOf, type ColumnMapping } from './mapping-yaml.js';
import { previewView } from './preview-view.js';
import { errorNotice, lineSelector } from './problems.js';
import { href, navigate, type Cleanup } from './router.js';
import type { ColumnGuess, Preview, SaveAnswer, Sample } from './types.js';

const PREVIEW_DELAY_MS = 400;
/** As the daemon's routes take them: the file name of the profile without `.yaml`. */
const PROFILE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

function detectedView(s: Sample): HTMLElement {
  const d = s.detected;
  const facts: [string, string | undefined][] = [
    ['File', `${s.name} (${s.size} bytes)`],
    ['Format', d.format],
    ['Encoding', d.encoding],
    ['Delimiter', d.delimiter === undefined ? undefined : d.delimiter === '\t' ? 'tab' : `"${d.delimiter}"`],
    ['Sheet', d.sheet === undefined ? undefined : `${d.sheet}${d.sheets !== undefined && d.sheets.length > 1 ? ` (of ${d.sheets.join(', ')})` : ''}`],
    ['Record', d.record],
    ['Columns', d.columns.join(', ')],
  ];
  return el('dl', { class: 'facts', 'data-testid': 'detected' }, facts.filter(([, v]) => v !== undefined).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '')]));
}

/** Renders `#/new`. */
export function renderNewProfile(root: HTMLElement): Cleanup {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const file = el('input', { type: 'file', id: 'sample-file', 'data-testid': 'sample-file', accept: '.csv,.txt,.xlsx,.xml,.json,.ndjson' });
  const uploadMessage = el('div', { 'aria-live': 'polite' });
  const editor = el('div', {});
  replace(root,
    el('h1', {}, 'New profile from a sample'),
    el('section', { class: 'stack' },
      el('p', {}, 'Upload a sample of the files this profile will read. The daemon detects the format and the columns; nothing is saved until you press Save.'),
      field('Sample file', file),
      uploadMessage),
    editor);

  const showEditor = (sample: Sample): void => {
    const id = profileIdOf(sample.name);
    const guessOf = (column: string): ColumnGuess | undefined => sample.fields?.find((g) => g.column === column);
    const columns: ColumnMapping[] = sample.detected.columns.map((column) => {
      const guess = guessOf(column);
      return {
        column, use: true, field: fieldNameOf(column), required: false, key: false,
        ...(guess === undefined ? guessType(sample.rows.map((r) => r[column] ?? '')) : choiceFromGuess(guess)),
      };
    });
    const examples = (column: string): string => {
      const seen = guessOf(column)?.examples ?? [...new Set(sample.rows.map((r) => r[column] ?? '').filter((v) => v !== ''))];
      return seen.slice(0, 3).join(' · ');
    };
    const profileId = el('input', { type: 'text', id: 'profile-id', value: id, required: true, pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,99}', 'data-testid': 'profile-id', spellcheck: 'false' });
    const sourceDir = el('input', { type: 'text', id: 'source-dir', value: `./data/inbox/${id}`, 'data-testid': 'source-dir', spellcheck: 'false' });
    const targetUrl = el('input', { type: 'url', id: 'target-url', placeholder: 'https://api.example.com/v1/records', 'data-testid': 'target-url', spellcheck: 'false' });
    const yaml = el('textarea', { id: 'profile-yaml', class: 'code', rows: 24, readonly: true, spellcheck: 'false', wrap: 'off', 'data-testid': 'profile-yaml' });
    const handEdit = el('input', { type: 'checkbox', id: 'hand-edit', 'data-testid': 'hand-edit' });
    const localProblems = el('div', { 'aria-live': 'polite' });
    const preview = el('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
    const saveMessage = el('div', { 'aria-live': 'polite', 'data-testid': 'save-message' });
    const save = el('button', { type: 'button', 'data-testid': 'save-profile' }, 'Save as profile');
    const columnsTable = mappingTable(columns, examples, () => rebuild());

    const schedulePreview = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(runPreview, PREVIEW_DELAY_MS);
    };
    const runPreview = (): void => {
      const mine = ++seq;
      preview.setAttribute('aria-busy', 'true');
      call<Preview>('/api/preview', { method: 'POST', json: { profile: yaml.value, sample: sample.sample, rows: 50 } }).then(
        (p) => {
          if (mine === seq) replace(preview, previewView(p));
        },
        (error: unknown) => {
          if (mine === seq) replace(preview, errorNotice(error, lineSelector(yaml)));
        },
      ).finally(() => {
        if (mine === seq) preview.setAttribute('aria-busy', 'false');
      });
    };
    function rebuild(): void {
      if (!handEdit.checked) {
        yaml.value = buildProfileYaml({ sampleName: sample.name, sourceDir: sourceDir.value, targetUrl: targetUrl.value, detected: sample.detected }, columns);
        const problems = mappingProblems(columns);
        replace(localProblems, problems.length === 0 ? null : notice('error', 'Check the columns:', el('ul', {}, problems.map((p) => el('li', {}, p)))));
      }
      schedulePreview();
    }
    let lastId = id;
    profileId.addEventListener('input', () => {
      // the folder follows the id for as long as the reader has not chosen another one
      if (sourceDir.value === `./data/inbox/${lastId}`) sourceDir.value = `./data/inbox/${profileId.value.trim()}`;
      lastId = profileId.value.trim();
      rebuild();
    });
    for (const input of [sourceDir, targetUrl]) input.addEventListener('input', rebuild);
    yaml.addEventListener('input', schedulePreview);
    handEdit.addEventListener('change', () => {
      // the table cannot follow hand edits, so it is frozen while they are allowed
      yaml.readOnly = !handEdit.checked;
      columnsTable.disabled = handEdit.checked;
      if (!handEdit.checked) rebuild();
    });

    save.addEventListener('click', () => {
      const id_ = profileId.value.trim();
      if (!PROFILE_ID.test(id_)) {
        replace(saveMessage, notice('error', 'The profile id is up to 100 letters, digits, ".", "_" and "-", starting with a letter, digit or "_".'));
        profileId.focus();
        return;
      }
      save.disabled = true;
      replace(saveMessage, notice('info', 'Saving…'));
      exists(id_)
        .then((taken) => (taken && !window.confirm(`A profile ${id_} exists. Replace it with this one?`) ? undefined
          : call<SaveAnswer>(`/api/profiles/${seg(id_)}?note=${encodeURIComponent(`mapped from sample ${sample.name}`)}`, { method: 'PUT', body: yaml.value, contentType: 'application/yaml' })))
        .then((answer) => {
          if (answer === undefined) replace(saveMessage);
          else navigate(href('profiles', answer.id));
        }, (error: unknown) => replace(saveMessage, errorNotice(error, lineSelector(yaml))))
        .finally(() => {
          save.disabled = false;
        });
    });

    replace(editor,
      el('section', { 'aria-labelledby': 'detected-title' },
        el('h2', { id: 'detected-title' }, 'Detected'),
        detectedView(sample),
        el('h3', {}, 'First rows'),
        el('div', { class: 'scroll' }, table(sample.detected.columns, sample.rows.slice(0, 10).map((r) => sample.detected.columns.map((c) => r[c] ?? '')), { 'data-testid': 'sample-rows' }))),
      el('section', { 'aria-labelledby': 'mapping-title' },
        el('h2', { id: 'mapping-title' }, 'Mapping'),
        el('div', { class: 'grid3' },
          field('Profile id', profileId, 'also the file name: profiles/<id>.yaml'),
          field('Source folder', sourceDir, 'where the daemon picks files up; empty for none'),
          field('Target URL', targetUrl, 'where records are sent (HTTP POST)')),
        el('div', { class: 'scroll' }, columnsTable),
        localProblems),
      // the preview sits right under the table it follows, full width for wide records
      el('section', { 'aria-labelledby': 'preview-title' },
        el('h2', { id: 'preview-title' }, 'Preview'),
        preview),
      el('section', { 'aria-labelledby': 'yaml-title' },
        el('h2', { id: 'yaml-title' }, 'Profile'),
        field('Profile YAML', yaml),
        el('label', { class: 'check' }, handEdit, ' Edit the YAML by hand (the column table stops following; untick to rebuild it from the table)'),
        el('div', { class: 'actions' }, save),
        saveMessage));
    rebuild();
  };

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen === undefined) return;
    replace(uploadMessage, notice('info', `Reading ${chosen.name}…`));
    replace(editor);
    chosen.arrayBuffer()
      .then((bytes) => call<Sample>(`/api/samples?name=${encodeURIComponent(chosen.name)}`, { method: 'POST', body: bytes, contentType: chosen.type === '' ? 'application/octet-stream' : chosen.type }))
      .then((sample) => {
        replace(uploadMessage);
        showEditor(sample);
      }, (error: unknown) => replace(uploadMessage, errorNotice(error)));
  });

  return () => {
    if (timer !== undefined) clearTimeout(timer);
    seq++;
  };
}

async function exists(id: string): Promise<boolean> {
  try {
    await call<unknown>(`/api/profiles/${seg(id)}`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}
