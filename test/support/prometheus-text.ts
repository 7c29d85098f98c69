/**
 * A small reader of the Prometheus text exposition format (version 0.0.4) for tests: families with
 * their type and help, and samples with their labels, so that a test asks for one sample instead of
 * matching regexes on the whole text. It is strict: a line it cannot read throws.
 */

/** One sample line. */
export interface PromSample {
  /** as written: `x_bucket`, `x_sum`, `x_count` for a histogram `x` */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One family: its `# TYPE`, `# HELP` and samples. */
export interface PromFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: PromSample[];
}

/** A parsed scrape. */
export interface PromScrape {
  readonly families: ReadonlyMap<string, PromFamily>;
  /** The samples named `name` whose labels include `labels` (others may be present). */
  samples(name: string, labels?: Readonly<Record<string, string>>): PromSample[];
  /** The value of the one sample named `name` with exactly `labels`; undefined when there is none. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?$/;
const SUFFIXES = ['_bucket', '_sum', '_count'];

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`. */
function parseValue(text: string, line: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new Error(`not a sample value: ${line}`);
  return n;
}

/** Reads `{a="x",b="y\"z"}` into an object, undoing the format's escapes. */
function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (name === undefined || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') throw new Error(`unreadable labels: ${line}`);
    i += name.length + 2;
    let value = '';
    for (; i < end && text[i] !== '"'; i++) {
      const c = text[i];
      if (c !== '\\') {
        value += c;
        continue;
      }
      i++;
      const escaped = text[i];
      value += escaped === 'n' ? '\n' : escaped ?? '';
    }
    if (text[i] !== '"') throw new Error(`unterminated label value: ${line}`);
    labels[name] = value;
    i++;
    if (text[i] === ',') i++;
  }
  return labels;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Parses a scrape; samples belong to the family of the last `# TYPE` whose name they extend. */
export function parsePrometheusText(text: string): PromScrape {
  const families = new Map<string, PromFamily>();
  const help = new Map<string, string>();
  const familyOf = (sample: string): PromFamily => {
    const direct = families.get(sample);
    if (direct !== undefined) return direct;
    for (const suffix of SUFFIXES) {
      const base = sample.endsWith(suffix) ? families.get(sample.slice(0, -suffix.length)) : undefined;
      if (base !== undefined) return base;
    }
    throw new Error(`sample ${sample} has no # TYPE line before it`);
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = '', rest = ''] = meta;
      if (kind === 'HELP') help.set(name, rest);
      else families.set(name, { name, type: rest, help: help.get(name) ?? '', samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labels, value = ''] = m;
    familyOf(name).samples.push({ name, labels: labels === undefined ? {} : parseLabels(labels, line), value: parseValue(value, line) });
  }
  const all = (): PromSample[] => [...families.values()].flatMap((f) => f.samples);
  return {
    families,
    samples: (name, labels = {}) => all().filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)),
    value: (name, labels = {}) => {
      const found = all().filter((s) => s.name === name && sameLabels(s.labels, labels));
      if (found.length > 1) throw new Error(`${found.length} samples ${name} with the same labels`);
      return found[0]?.value;
    },
  };
}
