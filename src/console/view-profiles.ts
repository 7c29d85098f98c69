/**
 * The profile list: every profile file with its kind, whether it is valid (and why not), its
 * current version, source and target.
 */
import { call, describeError } from './api.js';
import { el, notice, replace, table } from './dom.js';
import { href } from './router.js';
import type { ProfileSummary } from './types.js';

function sourceText(p: ProfileSummary): string {
  if (p.source === null) return '—';
  return [p.source.type, p.source.connection, p.source.dir].filter((s) => s !== null && s !== '').join(' · ');
}

function targetText(p: ProfileSummary): string {
  if (p.target === null) return '—';
  return p.target.url ?? p.target.type;
}

function validity(p: ProfileSummary): HTMLElement {
  if (p.valid) return el('span', { class: 'badge badge-completed' }, 'valid');
  return el('details', { class: 'problems' },
    el('summary', {}, el('span', { class: 'badge badge-failed' }, `${p.problems.length} problem${p.problems.length === 1 ? '' : 's'}`)),
    el('ul', {}, p.problems.map((pr) => el('li', {}, el('code', {}, pr.path), ` (line ${pr.line}): ${pr.message}`))));
}

/** Renders `#/profiles`. */
export function renderProfiles(root: HTMLElement): void {
  const body = el('div', {}, el('p', {}, 'Loading…'));
  replace(root,
    el('div', { class: 'title-row' }, el('h1', {}, 'Profiles'), el('a', { class: 'button', href: '#/new' }, 'New profile from a sample')),
    body);
  call<{ profiles: ProfileSummary[] }>('/api/profiles').then(({ profiles }) => {
    if (profiles.length === 0) {
      replace(body, el('p', {}, 'No profiles yet. ', el('a', { href: '#/new' }, 'Create one from a sample file.')));
      return;
    }
    const sorted = [...profiles].sort((a, b) => a.id.localeCompare(b.id));
    replace(body, table(['Profile', 'Kind', 'Valid', 'Version', 'Source', 'Target'], sorted.map((p) => [
      el('a', { href: href('profiles', p.id), 'data-testid': `profile-link-${p.id}` }, p.id),
      p.kind,
      validity(p),
      p.version === null ? '—' : String(p.version),
      sourceText(p),
      targetText(p),
    ]), { 'data-testid': 'profiles-table' }));
  }, (error: unknown) => replace(body, notice('error', describeError(error))));
}
