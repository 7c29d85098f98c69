/**
 * How the console shows a refused profile: every problem with its key path and YAML line, so the
 * reader can find it in the text.
 */
import { ApiError, describeError } from './api.js';
import { el, notice } from './dom.js';
import type { Problem } from './types.js';

/** A list of profile problems (or plain messages, as some answers give them). */
export function problemList(problems: readonly (Problem | string)[]): HTMLUListElement {
  return el('ul', { class: 'problem-list', 'data-testid': 'problems' }, problems.map((p) => typeof p === 'string'
    ? el('li', {}, p)
    : el('li', { class: `problem-${p.severity}` },
      el('code', {}, p.path === '' ? '(profile)' : p.path), ` line ${p.line}: `, p.message,
      p.severity === 'warning' ? ' (warning)' : '')));
}

/** The notice for a failed call: its message, and its problems when the daemon listed some. */
export function errorNotice(error: unknown): HTMLDivElement {
  const problems = error instanceof ApiError ? error.problems : [];
  return notice('error', describeError(error), problems.length === 0 ? null : problemList(problems));
}
