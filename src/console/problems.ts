/**
 * How the console shows a refused profile: every problem with its key path and YAML line, so the
 * reader can find it in the text.
 */
import { ApiError, describeError } from './api.js';
import { el, notice } from './dom.js';
import type { Problem } from './types.js';

/** Selects a line of the text the problems are about. */
export type GoToLine = (line: number) => void;

/** A list of profile problems (or plain messages, as some answers give them); lines link into the text when `goTo` is given. */
export function problemList(problems: readonly (Problem | string)[], goTo?: GoToLine): HTMLUListElement {
  return el('ul', { class: 'problem-list', 'data-testid': 'problems' }, problems.map((p) => typeof p === 'string'
    ? el('li', {}, p)
    : el('li', { class: `problem-${p.severity}` },
      el('code', {}, p.path === '' ? '(profile)' : p.path), ' ',
      goTo === undefined ? `line ${p.line}` : el('button', { type: 'button', class: 'link', onclick: () => goTo(p.line) }, `line ${p.line}`),
      `: ${p.message}`,
      p.severity === 'warning' ? ' (warning)' : '')));
}

/** The notice for a failed call: its message, and its problems when the daemon listed some. */
export function errorNotice(error: unknown, goTo?: GoToLine): HTMLDivElement {
  const problems = error instanceof ApiError ? error.problems : [];
  return notice('error', describeError(error), problems.length === 0 ? null : problemList(problems, goTo));
}

/** A GoToLine for a textarea: selects the line and scrolls it into view. */
export function lineSelector(text: HTMLTextAreaElement): GoToLine {
  return (line) => {
    const lines = text.value.split('\n');
    const index = Math.min(Math.max(line, 1), lines.length) - 1;
    const start = lines.slice(0, index).reduce((n, l) => n + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[index]?.length ?? 0));
    // textareas do not scroll to a selection made from script everywhere
    text.scrollTop = Math.max(0, (index - 3) * (text.scrollHeight / lines.length));
  };
}
