/**
 * The mapping editor's model: one choice per detected column, turned into profile YAML as the
 * profile format describes it (/work/shared/spec/profile-format.md). Strings are written as JSON
 * strings, which are valid YAML double-quoted scalars, so no value can break the document.
 */
import type { ColumnGuess, Sample } from './types.js';

/** The field types of the profile format. */
export const FIELD_TYPES = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** What the reader chose for one source column. */
export interface ColumnMapping {
  readonly column: string;
  use: boolean;
  field: string;
  type: FieldType;
  required: boolean;
  key: boolean;
  rule: string;
}

/** The rest of the profile: id, where files come from and where records go. */
export interface MappingSettings {
  readonly sampleName: string;
  readonly sourceDir: string;
  readonly targetUrl: string;
  readonly detected: Sample['detected'];
}

const q = (s: string): string => JSON.stringify(s);
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A camelCase field name for a column: `Order No` → `orderNo`, `Weight (g)` → `weightG`. */
export function fieldNameOf(column: string): string {
  const words = column.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  // an all-capitals word is an abbreviation: EAN → ean, Order ID → orderId
  const name = words.map((w, i) => {
    const word = w.length > 1 && w === w.toUpperCase() ? w.toLowerCase() : w;
    return i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1);
  }).join('');
  if (name === '') return 'field';
  return /^[0-9]/.test(name) ? `f${name}` : name;
}

/** A profile id from a file name: `Orders 2026.csv` → `orders-2026`. */
export function profileIdOf(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '');
  return stem.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 100) || 'new-profile';
}

/** A first guess of type and rule from the sample values of a column. */
export function guessType(values: readonly string[]): { type: FieldType; rule: string } {
  const present = values.map((v) => v.trim()).filter((v) => v !== '');
  if (present.length === 0) return { type: 'string', rule: '' };
  const all = (re: RegExp): boolean => present.every((v) => re.test(v));
  // a leading zero is part of an article number or postcode, not a quantity
  if (all(/^-?(0|[1-9]\d*)$/)) return { type: 'integer', rule: '' };
  if (all(/^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$/)) return { type: 'decimal', rule: 'decimal: comma' };
  if (all(/^-?\d+\.\d+$/)) return { type: 'decimal', rule: '' };
  if (all(/^\d{4}-\d{2}-\d{2}$/)) return { type: 'date', rule: '' };
  if (all(/^\d{2}\.\d{2}\.\d{4}$/)) return { type: 'date', rule: 'dd.MM.yyyy' };
  if (all(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?/)) return { type: 'datetime', rule: '' };
  if (all(/^(true|false|yes|no)$/i)) return { type: 'boolean', rule: '' };
  return { type: 'string', rule: '' };
}

/** Whether a text names one of the field types. */
export const isFieldType = (v: string): v is FieldType => (FIELD_TYPES as readonly string[]).includes(v);

/** Type and rule from the daemon's guess for a column (it reads more rows than the console gets). */
export function choiceFromGuess(g: ColumnGuess): { type: FieldType; rule: string } {
  const type = isFieldType(g.type) ? g.type : 'string';
  if ((type === 'decimal' || type === 'integer') && g.decimalSeparator === ',') return { type, rule: 'decimal: comma' };
  if ((type === 'date' || type === 'datetime') && g.format !== undefined) return { type, rule: g.format };
  return { type, rule: '' };
}

/** The field options a rule text stands for, or why it cannot be read. */
export interface RuleResult {
  readonly options: readonly (readonly [string, string])[];
  readonly problems: readonly string[];
}

const SEPARATORS: Record<string, readonly [string, string]> = {
  comma: [',', '.'],
  ',': [',', '.'],
  dot: ['.', ','],
  point: ['.', ','],
  '.': ['.', ','],
};

function scalarText(value: string, type: FieldType): string {
  if ((type === 'integer' || type === 'decimal') && NUMBER.test(value)) return value;
  if (type === 'boolean' && /^(true|false)$/.test(value)) return value;
  return q(value);
}

/**
 * Reads a rule text: `;`-separated `name: value` rules (`decimal: comma; scale: 2`, `pattern:
 * ^SKU-`, `map: O=open, C=closed`, `trim`); for dates a bare text is the input pattern (`dd.MM.yyyy`).
 */
export function parseRule(type: FieldType, rule: string): RuleResult {
  const options: [string, string][] = [];
  const problems: string[] = [];
  const parts = rule.split(';').map((p) => p.trim()).filter((p) => p !== '');
  const numeric = type === 'integer' || type === 'decimal';
  const dated = type === 'date' || type === 'datetime';
  for (const part of parts) {
    const m = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(part);
    const name = m?.[1]?.toLowerCase();
    const value = (m?.[2] ?? '').trim();
    if (part.toLowerCase() === 'trim') options.push(['trim', 'true']);
    else if (name === undefined || (dated && !['format', 'timezone', 'min', 'max', 'default', 'label'].includes(name))) {
      if (dated) options.push(['format', q(part)]);
      else problems.push(`"${part}" is not a rule; write name: value`);
    } else if (name === 'decimal' && numeric) {
      const pair = SEPARATORS[value.toLowerCase()];
      if (pair === undefined) problems.push(`decimal: ${value} — use comma or dot`);
      else options.push(['decimalSeparator', q(pair[0])], ['thousandsSeparator', q(pair[1])]);
    } else if (name === 'scale' && type === 'decimal' && /^\d+$/.test(value)) options.push(['scale', value]);
    else if ((name === 'min' || name === 'max') && (numeric || dated)) options.push([name, scalarText(value, type)]);
    else if ((name === 'minlength' || name === 'maxlength') && type === 'string' && /^\d+$/.test(value)) options.push([name === 'minlength' ? 'minLength' : 'maxLength', value]);
    else if (name === 'pattern' && type === 'string' && value !== '') options.push(['pattern', q(value)]);
    else if (name === 'format' && dated && value !== '') options.push(['format', q(value)]);
    else if (name === 'timezone' && dated && value !== '') options.push(['timezone', q(value)]);
    else if (name === 'default' && value !== '') options.push(['default', scalarText(value, type)]);
    else if (name === 'label' && value !== '') options.push(['label', q(value)]);
    else if ((name === 'true' || name === 'false') && type === 'boolean') options.push([`${name}Values`, `[${value.split('|').map((v) => q(v.trim())).join(', ')}]`]);
    else if (name === 'map' && value !== '') {
      const pairs = value.split(',').map((p) => p.split('=').map((s) => s.trim()));
      if (pairs.some((p) => p.length !== 2 || p[0] === '')) problems.push(`map: ${value} — write map: O=open, C=closed`);
      else options.push(['map', `{ ${pairs.map(([k, v]) => `${q(k ?? '')}: ${q(v ?? '')}`).join(', ')} }`]);
    } else problems.push(`"${part}" does not apply to a ${type} field`);
  }
  return { options, problems };
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with the choices before the daemon is even asked (empty or repeated names, rules). */
export function mappingProblems(columns: readonly ColumnMapping[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of columns.filter((c) => c.use)) {
    if (c.field.trim() === '') problems.push(`column ${c.column}: the target field needs a name`);
    else if (seen.has(c.field.trim())) problems.push(`field ${c.field.trim()} is used for two columns`);
    seen.add(c.field.trim());
    for (const p of parseRule(c.type, c.rule).problems) problems.push(`column ${c.column}: ${p}`);
  }
  if (seen.size === 0) problems.push('map at least one column');
  return problems;
}

function formatLine(d: Sample['detected']): string {
  const parts = [`type: ${d.format}`];
  if (d.format === 'csv') {
    if (d.encoding !== undefined) parts.push(`encoding: ${q(d.encoding)}`);
    if (d.delimiter !== undefined) parts.push(`delimiter: ${q(d.delimiter)}`);
  }
  if (d.format === 'xlsx' && d.sheet !== undefined) parts.push(`sheet: ${q(d.sheet)}`);
  if ((d.format === 'xml' || d.format === 'json' || d.format === 'ndjson') && d.record !== undefined && d.record !== '') parts.push(`record: ${q(d.record)}`);
  return `format: { ${parts.join(', ')} }`;
}

/** The profile YAML for the choices. */
export function buildProfileYaml(s: MappingSettings, columns: readonly ColumnMapping[]): string {
  const used = columns.filter((c) => c.use && c.field.trim() !== '');
  const lines = ['version: 1', `description: ${q(`Mapped in the console from the sample ${s.sampleName}`)}`, ''];
  if (s.sourceDir.trim() !== '') {
    const ext = /\.([A-Za-z0-9]+)$/.exec(s.sampleName)?.[1];
    lines.push('source:', '  type: local', `  dir: ${q(s.sourceDir.trim())}`);
    if (ext !== undefined) lines.push(`  include: [${q(`*.${ext.toLowerCase()}`)}]`);
    lines.push('trigger: { watch: true, every: 1m }', '');
  }
  lines.push(formatLine(s.detected), '', 'fields:');
  const width = Math.max(...used.map((c) => c.field.trim().length + 1), 1);
  for (const c of used) {
    const name = FIELD_NAME.test(c.field.trim()) ? c.field.trim() : q(c.field.trim());
    const opts = [`from: ${q(c.column)}`, `type: ${c.type}`];
    if (c.required) opts.push('required: true');
    for (const [k, v] of parseRule(c.type, c.rule).options) opts.push(`${k}: ${v}`);
    lines.push(`  ${`${name}:`.padEnd(width + 1)} { ${opts.join(', ')} }`);
  }
  const keys = used.filter((c) => c.key).map((c) => c.field.trim());
  if (keys.length > 0) lines.push('', `key: [${keys.map((k) => (FIELD_NAME.test(k) ? k : q(k))).join(', ')}]`);
  if (s.targetUrl.trim() !== '') lines.push('', 'target:', '  type: http', `  url: ${q(s.targetUrl.trim())}`, '  batchSize: 100');
  return `${lines.join('\n')}\n`;
}
