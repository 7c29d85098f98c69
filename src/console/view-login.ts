/**
 * The login view: the reader pastes an admin API token (from `ferry token new`); it is checked
 * against the daemon before it is kept, so a typo shows here rather than on the next page.
 */
import { ApiError, call, clearToken, setToken } from './api.js';
import { el, field, notice, replace } from './dom.js';

/** Renders the login form; `done` runs once the daemon accepted the token. */
export function renderLogin(root: HTMLElement, done: () => void, reason?: string): void {
  const input = el('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true, 'data-testid': 'token-input' });
  const message = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'login', 'data-testid': 'login-form' },
    el('h1', {}, 'ferry console'),
    el('p', {}, 'Log in with an API token of this daemon (', el('code', {}, 'ferry token new --role admin'), '). It is kept for this browser tab only.'),
    reason === undefined ? null : notice('info', reason),
    field('API token', input),
    el('button', { type: 'submit' }, 'Log in'),
    message);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') return;
    setToken(token);
    replace(message, notice('info', 'Checking the token…'));
    call<unknown>('/api/profiles').then(done, (error: unknown) => {
      clearToken();
      const text = error instanceof ApiError && error.status === 401 ? 'The daemon does not know this token.' : `Could not check the token: ${error instanceof Error ? error.message : String(error)}`;
      replace(message, notice('error', text));
      input.focus();
    });
  });
  replace(root, form);
  input.focus();
}
