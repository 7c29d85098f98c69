import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';

import type { KeyPath, Problem, YamlSource } from './types.js';

/**
 * Parses YAML text, keeping enough of the document to map a key path back to a line. Syntax
 * errors come back as problems; duplicate keys are errors too, since the second would silently win.
 */
export function parseYamlSource(file: string, text: string): { source: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: Problem[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const offset = err.pos[0];
    problems.push({
      file,
      line: lineCounter.linePos(offset).line,
      path: [],
      message: `YAML ${doc.errors.includes(err) ? 'syntax error' : 'warning'}: ${err.message.split('\n')[0] ?? err.code}`,
      severity: doc.errors.includes(err) ? 'error' : 'warning',
    });
  }
  const value: unknown = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });

  const lineOf = (path: KeyPath): number => {
    let node: unknown = doc.contents;
    let line = node !== null && typeof node === 'object' ? lineOfNode(node as Node, lineCounter) : 1;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (pair === undefined) break;
        if (isScalar(pair.key) && pair.key.range) line = lineCounter.linePos(pair.key.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item: unknown = node.items[key];
        if (item === undefined || item === null) break;
        line = lineOfNode(item as Node, lineCounter);
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
  return { source: { file, value, lineOf }, problems };
}

function lineOfNode(node: Node, lineCounter: LineCounter): number {
  const range = node.range;
  return range ? lineCounter.linePos(range[0]).line : 1;
}
