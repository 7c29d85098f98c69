/**
 * Source health (`#/sources`): each profile's last poll, last error and waiting files, and the
 * state of each connection the daemon holds. Refreshed every 10 s while open.
 */
import { call, describeError } from './api.js';
import { badge, el, notice, replace, table, time } from './dom.js';
import { href, type Cleanup } from './router.js';
import type { ConnectionHealth, SourceHealth } from './types.js';

const REFRESH_MS = 10_000;

interface SourcesAnswer {
  readonly sources: SourceHealth[];
  readonly connections: ConnectionHealth[];
}

function sourcesTable(sources: readonly SourceHealth[]): HTMLElement {
  if (sources.length === 0) return el('p', {}, 'No source has been polled yet.');
  return table(['Profile', 'Connection', 'State', 'Last poll', 'Last success', 'Last error', 'Waiting files'], sources.map((s) => [
    el('a', { href: href('profiles', s.profile) }, s.profile),
    s.connection,
    badge(s.state),
    time(s.lastPollAt),
    time(s.lastOkAt),
    s.lastError === null ? '—' : el('span', {}, s.lastError, el('small', { class: 'block' }, time(s.lastErrorAt))),
    String(s.waiting),
  ]), { 'data-testid': 'sources-table' });
}

function connectionsTable(connections: readonly ConnectionHealth[]): HTMLElement {
  if (connections.length === 0) return el('p', {}, 'No remote connection is open.');
  return table(['Connection', 'State', 'Last success', 'Last error'], connections.map((c) => [
    [c.name ?? c.label ?? '—', c.type === undefined ? '' : ` (${c.type})`],
    badge(c.state ?? 'unknown'),
    time(c.lastOkAt),
    c.lastError === null || c.lastError === undefined ? '—' : el('span', {}, c.lastError, el('small', { class: 'block' }, time(c.lastErrorAt))),
  ]), { 'data-testid': 'connections-table' });
}

/** Renders `#/sources`. */
export function renderSources(root: HTMLElement): Cleanup {
  const body = el('div', {}, el('p', {}, 'Loading…'));
  const updated = el('small', { 'aria-live': 'off' });
  replace(root, el('div', { class: 'title-row' }, el('h1', {}, 'Sources'), updated), body);
  const load = (): void => {
    call<SourcesAnswer>('/api/sources').then(({ sources, connections }) => {
      replace(body,
        el('h2', {}, 'Sources'), sourcesTable(sources),
        el('h2', {}, 'Connections'), connectionsTable(connections));
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    }, (error: unknown) => replace(body, notice('error', describeError(error))));
  };
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
