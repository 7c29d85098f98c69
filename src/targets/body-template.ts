import { toJson } from '../json/to-json.js';

/** What a body template can refer to when a request is built. */
export interface BodyContext {
  /** the JSON of each record of the request, as bytes or text */
  readonly records: readonly (Buffer | string)[];
  readonly file?: string;
  readonly batch?: string;
  readonly profile?: string;
}

type Node =
  | { kind: 'literal'; json: string }
  | { kind: 'var'; name: 'records' | 'record' | 'count' | 'file' | 'batch' | 'profile' }
  | { kind: 'array'; items: Node[] }
  | { kind: 'object'; entries: [string, Node][] };

const VARIABLES = ['records', 'record', 'count', 'file', 'batch', 'profile'] as const;

/** A compiled `target.body`: renders the JSON text of one request. */
export interface BodyTemplate {
  readonly source: string;
  /** the body as text (for previews) */
  render(ctx: BodyContext): string;
  /** the body as bytes, record bytes copied once and never decoded (for delivery) */
  renderBytes(ctx: BodyContext): Buffer;
}

/**
 * Compiles a body template such as `{ items: $records, source: "erp" }`: JSON with unquoted keys
 * allowed, single- or double-quoted strings, and the variables `$records` (the records as an array),
 * `$record` (the single record when batchSize is 1), `$count`, `$file`, `$batch` and `$profile`.
 * Without a template the body is `$records`, or `$record` when each request carries one record.
 */
export function compileBodyTemplate(source: string | undefined, batchSize: number): { ok: true; template: BodyTemplate } | { ok: false; message: string } {
  const text = source ?? (batchSize === 1 ? '$record' : '$records');
  let i = 0;
  const fail = (msg: string): never => {
    throw new SyntaxError(`${msg} at column ${i + 1} of the body template`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const q = text[i];
    let out = '';
    i++;
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        i++;
        const e = text[i] ?? '';
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else {
        out += text[i];
      }
      i++;
    }
    if (i >= text.length) fail('unclosed string');
    i++;
    return out;
  };
  const value = (): Node => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, Node][] = [];
      ws();
      while (text[i] !== '}') {
        ws();
        let key: string;
        if (text[i] === '"' || text[i] === "'") key = str();
        else {
          const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i));
          if (m === null) return fail('expected a key');
          key = m[0];
          i += key.length;
        }
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([key, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('expected "," or "}"');
        ws();
      }
      i++;
      return { kind: 'object', entries };
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      while (text[i] !== ']') {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('expected "," or "]"');
        ws();
      }
      i++;
      return { kind: 'array', items };
    }
    if (c === '"' || c === "'") return { kind: 'literal', json: JSON.stringify(str()) };
    if (c === '$') {
      const m = /^\$([A-Za-z]+)/.exec(text.slice(i));
      const name = VARIABLES.find((v) => v === m?.[1]);
      if (name === undefined) return fail(`unknown variable "${m?.[0] ?? '$'}" (known: ${VARIABLES.map((v) => `$${v}`).join(', ')})`);
      i += name.length + 1;
      return { kind: 'var', name };
    }
    const m = /^(true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (m === null) return fail('expected a value');
    i += m[0].length;
    return { kind: 'literal', json: m[0] };
  };
  let root: Node;
  try {
    root = value();
    ws();
    if (i < text.length) fail('unexpected text after the body');
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  if (batchSize > 1 && usesVar(root, 'record')) return { ok: false, message: '$record stands for a single record and needs batchSize: 1; use $records' };
  const pieces = (n: Node, ctx: BodyContext, out: (Buffer | string)[]): void => {
    switch (n.kind) {
      case 'literal':
        out.push(n.json);
        return;
      case 'array':
        out.push('[');
        n.items.forEach((x, i) => {
          if (i > 0) out.push(',');
          pieces(x, ctx, out);
        });
        out.push(']');
        return;
      case 'object':
        out.push('{');
        n.entries.forEach(([k, v], i) => {
          out.push(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
          pieces(v, ctx, out);
        });
        out.push('}');
        return;
      case 'var':
        switch (n.name) {
          case 'records':
            out.push('[');
            ctx.records.forEach((r, i) => {
              if (i > 0) out.push(',');
              out.push(r);
            });
            out.push(']');
            return;
          case 'record':
            out.push(ctx.records[0] ?? 'null');
            return;
          case 'count':
            out.push(String(ctx.records.length));
            return;
          default:
            out.push(toJson(ctx[n.name] ?? null));
        }
    }
  };
  const render = (ctx: BodyContext): (Buffer | string)[] => {
    const out: (Buffer | string)[] = [];
    pieces(root, ctx, out);
    return out;
  };
  return {
    ok: true,
    template: {
      source: text,
      render: (ctx) => render(ctx).map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join(''),
      renderBytes: (ctx) => Buffer.concat(render(ctx).map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))),
    },
  };
}

function usesVar(n: Node, name: string): boolean {
  if (n.kind === 'var') return n.name === name;
  if (n.kind === 'array') return n.items.some((x) => usesVar(x, name));
  if (n.kind === 'object') return n.entries.some(([, v]) => usesVar(v, name));
  return false;
}
