/**
 * A small DOM helper: elements are built with `el`, never from HTML strings, so text from the API
 * (file names, error messages, profile texts) can never turn into markup.
 */

/** What `el` accepts as a child: nodes, text, or nothing (skipped, for conditional parts). */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes: `on*` functions become listeners, booleans toggle, everything else is set as text. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** Appends children (flattening arrays, skipping empty ones) to `parent`. */
export function append(parent: Node, ...children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...(child as readonly Child[]));
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

function applyAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
}

/** Creates an HTML element. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: readonly Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  append(node, ...children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: readonly Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  append(node, ...children);
  return node;
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A `<label>` around a control, so that clicking the text focuses it and screen readers name it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), control, hint === undefined ? null : el('small', {}, hint));
}

/** A table with a header row; each row is a list of cells. */
export function table(headers: readonly string[], rows: readonly (readonly Child[])[], attrs: Attrs = {}): HTMLTableElement {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))));
}

/** A time as the reader's local date and time; `—` for none. */
export function time(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

/** A status word with a class for its colour (and the word itself, so colour is never the only cue). */
export function badge(status: string): HTMLSpanElement {
  return el('span', { class: `badge badge-${status.replace(/[^a-z-]/g, '')}` }, status);
}

/** A message area: errors get role=alert so that they are announced. */
export function notice(kind: 'error' | 'ok' | 'info', ...children: readonly Child[]): HTMLDivElement {
  return el('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}
