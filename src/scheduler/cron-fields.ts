/**
 * The five fields of a cron expression, checked and expanded into sets. Every problem is reported
 * with the field it is in and the text the user wrote, because the expression sits in a profile
 * and the message is all the user sees.
 */

/** The expanded fields; arrays are indexed by value (days 1-31, months 1-12, weekdays 0-6, Sunday 0). */
export interface CronFields {
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly days: readonly boolean[];
  /** `L` in day-of-month: the last day of each month. */
  readonly lastDay: boolean;
  readonly months: readonly boolean[];
  readonly weekdays: readonly boolean[];
  /**
   * As in Vixie cron, a day field is restricted unless it starts with `*` (or `?`); when both day
   * fields are restricted a day matches either of them, otherwise both.
   */
  readonly daysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

/** The result of {@link parseCronFields}. */
export type CronFieldsResult = { ok: true; fields: CronFields } | { ok: false; message: string };

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names for `min`, `min + 1`, ... (JAN-DEC, SUN-SAT). */
  readonly names: readonly string[];
  readonly namesHint: string;
  readonly dayField: boolean;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** The most days each month can have, February in a leap year included. */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const MINUTE: FieldSpec = { label: 'minute', min: 0, max: 59, names: [], namesHint: '', dayField: false };
const HOUR: FieldSpec = { label: 'hour', min: 0, max: 23, names: [], namesHint: '', dayField: false };
const DAY: FieldSpec = { label: 'day-of-month', min: 1, max: 31, names: [], namesHint: '', dayField: true };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, namesHint: ' or a month name (JAN-DEC)', dayField: false };
// 7 is Sunday too, as in every cron; it is folded onto 0 after expansion.
const WEEKDAY: FieldSpec = { label: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES, namesHint: ' or a day name (SUN-SAT)', dayField: true };

const SHORTCUTS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELD_LIST = 'minute hour day-of-month month day-of-week';

class FieldError extends Error {}

function fail(spec: FieldSpec, text: string, problem: string): never {
  throw new FieldError(`${spec.label} field "${text}": ${problem}`);
}

function value(spec: FieldSpec, field: string, text: string): number {
  let n: number;
  if (/^\d+$/.test(text)) {
    n = Number(text);
  } else {
    const index = spec.names.indexOf(text.toUpperCase());
    if (index < 0) fail(spec, field, `"${text}" is not a number${spec.namesHint}`);
    n = spec.min + index;
  }
  if (n < spec.min || n > spec.max) fail(spec, field, `${text} is out of range ${spec.min}-${spec.max}`);
  return n;
}

/** Expands one comma-separated item (`*`, `5`, `1-5`, `*\/15`, `10-50/20`, `5/15`) into `into`. */
function expandItem(spec: FieldSpec, field: string, item: string, into: boolean[]): void {
  if (item === '') fail(spec, field, 'empty item in the list');
  const slash = item.indexOf('/');
  const base = slash < 0 ? item : item.slice(0, slash);
  let step = 1;
  if (slash >= 0) {
    const stepText = item.slice(slash + 1);
    if (!/^\d+$/.test(stepText)) fail(spec, field, `step "${stepText}" is not a whole number`);
    step = Number(stepText);
    if (step < 1) fail(spec, field, 'step 0 must be at least 1');
  }
  let from: number;
  let to: number;
  if (base === '*' || (base === '?' && spec.dayField)) {
    from = spec.min;
    to = spec.max;
  } else if (base === 'L' || base === 'l') {
    fail(spec, field, spec.label === 'day-of-month' ? '"L" (last day) takes no step' : '"L" (last day) is allowed only in day-of-month');
  } else {
    const dash = base.indexOf('-', 1);
    from = value(spec, field, dash < 0 ? base : base.slice(0, dash));
    to = dash < 0 ? (slash < 0 ? from : spec.max) : value(spec, field, base.slice(dash + 1));
    if (from > to) fail(spec, field, `range ${base} runs backwards; write it from low to high`);
  }
  for (let v = from; v <= to; v += step) into[v] = true;
}

function parseField(spec: FieldSpec, field: string): boolean[] {
  const set = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of field.split(',')) expandItem(spec, field, item, set);
  return set;
}

function parseDays(field: string): { days: boolean[]; lastDay: boolean } {
  const days = new Array<boolean>(DAY.max + 1).fill(false);
  let lastDay = false;
  for (const item of field.split(',')) {
    if (item.toUpperCase() === 'L') lastDay = true;
    else expandItem(DAY, field, item, days);
  }
  return { days, lastDay };
}

/** A day in a month for the day fields alone; weekdays always occur, so only day-of-month can fail. */
function neverFires(fields: CronFields, dayText: string, monthText: string): string | undefined {
  if (!fields.daysRestricted || fields.weekdaysRestricted || fields.lastDay) return undefined;
  for (let month = 1; month <= 12; month++) {
    if (!fields.months[month]) continue;
    for (let day = 1; day <= (MAX_DAYS[month - 1] ?? 31); day++) if (fields.days[day]) return undefined;
  }
  const only = fields.months.filter(Boolean).length === 1 ? MONTH_FULL[fields.months.indexOf(true) - 1] : undefined;
  const where = only === undefined ? `any month in month field "${monthText}"` : only;
  return `day-of-month field "${dayText}" never occurs in ${where}, so the expression never fires`;
}

/**
 * Parses a five-field cron expression (`minute hour day-of-month month day-of-week`) or a
 * shortcut (`@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`).
 * Items are `*`, numbers, ranges `1-5`, steps `*\/15`, `1-30/5`, `5/15`, lists `1,15`; month and
 * weekday names (`JAN`, `MON`, any case); `L` for the last day of the month; 0 and 7 are Sunday.
 * There is no seconds field: six fields are an error rather than a silently shifted meaning.
 */
export function parseCronFields(expression: string): CronFieldsResult {
  const trimmed = expression.trim();
  if (trimmed === '') return { ok: false, message: 'cron expression is empty' };
  let text = trimmed;
  if (trimmed.startsWith('@')) {
    const expanded = SHORTCUTS[trimmed.toLowerCase()];
    if (expanded === undefined) {
      return { ok: false, message: `unknown shortcut "${trimmed}": use @hourly, @daily, @weekly, @monthly or @yearly, or five fields (${FIELD_LIST})` };
    }
    text = expanded;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    const seconds = parts.length === 6 ? '; ferry cron has no seconds field' : '';
    return { ok: false, message: `expected 5 fields (${FIELD_LIST}), got ${parts.length}${seconds}` };
  }
  const [minuteText = '', hourText = '', dayText = '', monthText = '', weekdayText = ''] = parts;
  try {
    const weekdays = parseField(WEEKDAY, weekdayText);
    if (weekdays[7] === true) weekdays[0] = true;
    const { days, lastDay } = parseDays(dayText);
    const fields: CronFields = {
      minutes: parseField(MINUTE, minuteText),
      hours: parseField(HOUR, hourText),
      days,
      lastDay,
      months: parseField(MONTH, monthText),
      weekdays: weekdays.slice(0, 7),
      daysRestricted: !/^[*?]/.test(dayText),
      weekdaysRestricted: !/^[*?]/.test(weekdayText),
    };
    const never = neverFires(fields, dayText, monthText);
    return never === undefined ? { ok: true, fields } : { ok: false, message: never };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, message: error.message };
    throw error;
  }
}
