/**
 * The mapping editor's column table: one line per detected column with its target field, type,
 * required and key flags and an optional rule. Controls are named by column for screen readers
 * and carry `data-testid`s by position for the browser tests.
 */
import { el } from './dom.js';
import { FIELD_TYPES, isFieldType, type ColumnMapping, type FieldType } from './mapping-yaml.js';

const RULE_HINTS: Record<FieldType, string> = {
  string: 'pattern: ^SKU-[0-9]+$; trim',
  integer: 'min: 1; decimal: comma',
  decimal: 'decimal: comma; scale: 2',
  boolean: 'true: ja|yes; false: nei|no',
  date: 'dd.MM.yyyy',
  datetime: 'yyyy-MM-dd HH:mm; timezone: Europe/Oslo',
};

/** Builds the table; `changed` runs after every edit (the caller rebuilds the YAML and preview). */
export function mappingTable(columns: ColumnMapping[], examples: (column: string) => string, changed: () => void): HTMLFieldSetElement {
  const rows = columns.map((c, i) => {
    const use = el('input', { type: 'checkbox', checked: c.use, 'aria-label': `Map column ${c.column}`, 'data-testid': `map-use-${i}` });
    const name = el('input', { type: 'text', value: c.field, 'aria-label': `Target field for ${c.column}`, 'data-testid': `map-field-${i}`, spellcheck: 'false' });
    const type = el('select', { 'aria-label': `Type of ${c.column}`, 'data-testid': `map-type-${i}` },
      FIELD_TYPES.map((t) => el('option', { value: t, selected: t === c.type }, t)));
    const required = el('input', { type: 'checkbox', checked: c.required, 'aria-label': `${c.column} is required`, 'data-testid': `map-required-${i}` });
    const key = el('input', { type: 'checkbox', checked: c.key, 'aria-label': `${c.column} is part of the key`, 'data-testid': `map-key-${i}` });
    const rule = el('input', { type: 'text', value: c.rule, placeholder: RULE_HINTS[c.type], 'aria-label': `Rule for ${c.column}`, 'data-testid': `map-rule-${i}`, spellcheck: 'false' });
    const sync = (): void => {
      c.use = use.checked;
      c.field = name.value;
      if (isFieldType(type.value)) c.type = type.value;
      c.required = required.checked;
      c.key = key.checked;
      c.rule = rule.value;
      rule.placeholder = RULE_HINTS[c.type];
      for (const control of [name, type, required, key, rule]) control.disabled = !c.use;
      changed();
    };
    for (const control of [use, type, required, key]) control.addEventListener('change', sync);
    for (const control of [name, rule]) control.addEventListener('input', sync);
    for (const control of [name, type, required, key, rule]) control.disabled = !c.use;
    return el('tr', {},
      el('th', { scope: 'row' }, c.column),
      el('td', { class: 'sample-value', title: examples(c.column) }, examples(c.column)),
      el('td', {}, use), el('td', {}, name), el('td', {}, type), el('td', {}, required), el('td', {}, key), el('td', {}, rule));
  });
  return el('fieldset', { class: 'mapping' },
    el('legend', {}, 'Columns'),
    el('p', { class: 'hint' }, 'Rules are "name: value" separated by ";": decimal: comma, scale: 2, min: 1, pattern: …, map: O=open, C=closed, default: …, trim; for dates the input pattern, e.g. dd.MM.yyyy.'),
    el('table', { 'data-testid': 'mapping-table' },
      el('thead', {}, el('tr', {}, ['Column', 'Examples', 'Map', 'Target field', 'Type', 'Required', 'Key', 'Rule'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
}
