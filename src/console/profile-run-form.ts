/**
 * "Run now": a form with one input per declared run parameter (`params` of the profile); empty
 * inputs are left out so that the profile's defaults apply.
 */
import { call, seg } from './api.js';
import { el, field, notice, replace } from './dom.js';
import { errorNotice } from './problems.js';
import type { ParamSpec, ProfileDetail } from './types.js';

interface RunAnswer {
  readonly run: string;
  readonly coalesced: boolean;
  readonly params: Record<string, string>;
}

function inputFor(name: string, spec: ParamSpec): HTMLInputElement | HTMLSelectElement {
  const id = `param-${name}`;
  if (spec.type === 'boolean') {
    const options = [['', spec.default === undefined ? '(not set)' : `(default: ${String(spec.default)})`], ['true', 'true'], ['false', 'false']];
    return el('select', { id, name }, options.map(([value, label]) => el('option', { value: value ?? '' }, label ?? '')));
  }
  // dates stay text inputs: the API also takes today, today-7 and the like
  return el('input', {
    type: 'text', id, name,
    inputmode: spec.type === 'integer' || spec.type === 'decimal' ? 'decimal' : undefined,
    placeholder: spec.default === undefined ? (spec.type === 'date' ? 'yyyy-MM-dd or today-1' : '') : `default: ${String(spec.default)}`,
    required: spec.required === true && spec.default === undefined,
  });
}

/** Renders the "Run now" section for a profile. */
export function renderRunForm(root: HTMLElement, profile: ProfileDetail): void {
  const names = Object.keys(profile.params);
  const message = el('div', { 'aria-live': 'polite', 'data-testid': 'run-message' });
  const inputs = names.map((name) => {
    const spec = profile.params[name] ?? {};
    const label = `${name}${spec.type === undefined ? '' : ` (${spec.type})`}${spec.required === true ? ', required' : ''}`;
    return { name, control: inputFor(name, spec), label, hint: spec.description };
  });
  const button = el('button', { type: 'submit', 'data-testid': 'run-now' }, 'Run now');
  const form = el('form', { class: 'stack' },
    names.length === 0 ? el('p', {}, 'This profile declares no run parameters.') : inputs.map((i) => field(i.label, i.control, i.hint)),
    el('div', { class: 'actions' }, button),
    message);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params: Record<string, string> = {};
    for (const i of inputs) if (i.control.value.trim() !== '') params[i.name] = i.control.value.trim();
    button.disabled = true;
    call<RunAnswer>(`/api/profiles/${seg(profile.id)}/runs`, { method: 'POST', json: { params } })
      .then((answer) => replace(message, notice('ok',
        answer.coalesced ? 'A run with these parameters was already waiting or in progress: ' : 'Run started: ',
        el('a', { href: `#/runs?profile=${encodeURIComponent(profile.id)}&run=${encodeURIComponent(answer.run)}` }, answer.run))),
      (error: unknown) => replace(message, errorNotice(error)))
      .finally(() => {
        button.disabled = false;
      });
  });
  replace(root, el('h2', { id: 'run-title' }, 'Run now'), form);
}
