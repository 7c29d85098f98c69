/**
 * The profile editor (`#/profiles/<id>`): the YAML text with Save (refused saves list every
 * problem with its line), the "Run now" form and the version history with diff and rollback.
 */
import { call, describeError, seg } from './api.js';
import { el, field, notice, replace } from './dom.js';
import { errorNotice, lineSelector, problemList } from './problems.js';
import { renderRunForm } from './profile-run-form.js';
import { renderVersions } from './profile-versions.js';
import type { Route } from './router.js';
import type { ProfileDetail, SaveAnswer } from './types.js';

function header(p: ProfileDetail): HTMLElement {
  return el('div', { class: 'title-row' },
    el('h1', {}, 'Profile ', el('code', {}, p.id)),
    p.valid ? el('span', { class: 'badge badge-completed' }, 'valid') : el('span', { class: 'badge badge-failed' }, 'invalid'),
    el('span', {}, p.version === null ? 'no version yet' : `version ${p.version}`),
    el('a', { href: `#/runs?profile=${encodeURIComponent(p.id)}` }, 'Runs of this profile'));
}

/** Renders `#/profiles/<id>`. */
export function renderProfile(root: HTMLElement, route: Route): void {
  const id = route.path[1] ?? '';
  replace(root, el('p', {}, 'Loading…'));
  const versions = el('section', { 'aria-labelledby': 'versions-title' });
  const runForm = el('section', { 'aria-labelledby': 'run-title' });

  const show = (p: ProfileDetail): void => {
    const text = el('textarea', { id: 'profile-text', class: 'code', rows: 28, spellcheck: 'false', wrap: 'off', 'data-testid': 'profile-text' });
    text.value = p.text;
    const goTo = lineSelector(text);
    const note = el('input', { type: 'text', id: 'save-note', placeholder: 'what changed and why' });
    const message = el('div', { 'aria-live': 'polite', 'data-testid': 'save-message' });
    const save = el('button', { type: 'submit', 'data-testid': 'save-profile' }, 'Save');
    const form = el('form', { class: 'stack' },
      field('Profile YAML', text),
      field('Note for this version (optional)', note),
      el('div', { class: 'actions' }, save),
      message);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      save.disabled = true;
      replace(message, notice('info', 'Saving…'));
      const q = note.value.trim() === '' ? '' : `?note=${encodeURIComponent(note.value.trim())}`;
      call<SaveAnswer>(`/api/profiles/${seg(id)}${q}`, { method: 'PUT', body: text.value, contentType: 'application/yaml' })
        .then((answer) => {
          replace(message, notice('ok', answer.unchanged ? `Nothing changed; still version ${answer.version}.` : `Saved as version ${answer.version}.`,
            answer.warnings.length === 0 ? null : problemList(answer.warnings, goTo)));
          note.value = '';
          renderVersions(versions, id, reload);
        }, (error: unknown) => replace(message, errorNotice(error, goTo)))
        .finally(() => {
          save.disabled = false;
        });
    });
    replace(root,
      header(p),
      p.description === null ? null : el('p', { class: 'description' }, p.description),
      p.valid ? null : notice('error', 'The file on disk is invalid; the daemon keeps running its last valid version.', problemList(p.problems, goTo)),
      el('div', { class: 'columns' },
        el('section', { 'aria-labelledby': 'text-title', class: 'grow' }, el('h2', { id: 'text-title' }, 'Profile text'), form),
        el('div', { class: 'side' }, runForm, versions)));
    renderRunForm(runForm, p);
    renderVersions(versions, id, reload);
  };

  function reload(): void {
    call<ProfileDetail>(`/api/profiles/${seg(id)}`).then(show, (error: unknown) => replace(root,
      el('h1', {}, 'Profile ', el('code', {}, id)),
      notice('error', describeError(error)),
      el('a', { href: '#/profiles' }, 'Back to the profiles')));
  }
  reload();
}
