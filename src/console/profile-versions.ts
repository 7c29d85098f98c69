/**
 * A profile's version history: who saved which version when, a diff between any two, and rollback
 * (which writes the old text back as a new version, so nothing is lost).
 */
import { call, seg } from './api.js';
import { el, notice, replace, table, time } from './dom.js';
import { errorNotice } from './problems.js';
import type { Save, SaveAnswer, Version } from './types.js';

/** A unified diff with each line classed as added, removed or hunk header. */
export function diffView(diff: string): HTMLPreElement {
  const lines = diff.split('\n').map((line) => {
    const cls = line.startsWith('+++') || line.startsWith('---') ? 'diff-file'
      : line.startsWith('+') ? 'diff-add'
        : line.startsWith('-') ? 'diff-del'
          : line.startsWith('@@') ? 'diff-hunk' : 'diff-same';
    return el('span', { class: cls }, `${line}\n`);
  });
  return el('pre', { class: 'diff code', 'data-testid': 'diff' }, lines);
}

function radio(name: string, version: number, checked: boolean): HTMLInputElement {
  return el('input', { type: 'radio', name, value: String(version), checked, 'aria-label': `${name === 'diff-from' ? 'From' : 'To'} version ${version}` });
}

/** Renders the versions section into `root`; `changed` reloads the editor after a rollback. */
export function renderVersions(root: HTMLElement, id: string, changed: () => void): void {
  const title = el('h2', { id: 'versions-title' }, 'Versions');
  replace(root, title, el('p', {}, 'Loading…'));
  call<{ versions: Version[]; saves?: Save[] }>(`/api/profiles/${seg(id)}/versions`).then(({ versions, saves = [] }) => {
    if (versions.length === 0) {
      replace(root, title, el('p', {}, 'No versions recorded yet.'));
      return;
    }
    const output = el('div', { 'aria-live': 'polite' });
    const rollback = (v: Version): void => {
      if (!window.confirm(`Write version ${v.version} back as the profile file?`)) return;
      call<SaveAnswer>(`/api/profiles/${seg(id)}/rollback`, { method: 'POST', json: { version: v.version } })
        .then(changed, (error: unknown) => replace(output, errorNotice(error)));
    };
    const rows = versions.map((v, i) => el('tr', {},
      el('td', {}, radio('diff-from', v.version, i === 1 || versions.length === 1)),
      el('td', {}, radio('diff-to', v.version, i === 0)),
      el('td', {}, String(v.version), v.current ? el('span', { class: 'badge badge-completed' }, 'current') : null),
      el('td', {}, v.savedBy ?? '—'),
      // a text the daemon ran before anyone saved it through the API has no author, only when it was first seen
      el('td', {}, v.savedAt !== null ? time(v.savedAt) : v.firstSeen === undefined ? '—' : `first seen ${time(v.firstSeen)}`),
      el('td', {}, v.note ?? ''),
      el('td', {}, v.current ? null : el('button', { type: 'button', class: 'secondary', onclick: () => rollback(v) }, `Roll back to ${v.version}`))));
    const form = el('form', { class: 'stack' },
      el('table', { 'data-testid': 'versions-table' },
        el('thead', {}, el('tr', {}, ['From', 'To', 'Version', 'Saved by', 'Saved at', 'Note', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'secondary' }, 'Show diff')),
      output,
      saves.length === 0 ? null : el('details', {},
        el('summary', {}, `Every save (${saves.length})`),
        table(['Version', 'Saved by', 'Saved at', 'Note'], saves.map((sv) => [String(sv.version), sv.savedBy, time(sv.savedAt), sv.note ?? '']), { 'data-testid': 'saves-table' })));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const from = Number(data.get('diff-from'));
      const to = Number(data.get('diff-to'));
      const current = versions.find((v) => v.current)?.version;
      const q = `from=${from}${to === current ? '' : `&to=${to}`}`;
      call<{ diff: string }>(`/api/profiles/${seg(id)}/diff?${q}`).then(({ diff }) => {
        replace(output, diff.trim() === '' || !/^[+-](?![+-]{2})/m.test(diff) ? notice('info', `Versions ${from} and ${to} have the same text.`) : diffView(diff));
      }, (error: unknown) => replace(output, errorNotice(error)));
    });
    replace(root, title, form);
  }, (error: unknown) => replace(root, title, errorNotice(error)));
}
