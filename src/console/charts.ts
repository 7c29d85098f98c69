/**
 * Line charts drawn as SVG by hand (no chart library, no CDN): a time axis, a value axis with a
 * few round ticks, one polyline per series with gaps where a value is missing, and a legend.
 */
import { el, svg } from './dom.js';

/** One line of a chart; `cls` picks its colour in styles.css. */
export interface Series {
  readonly name: string;
  readonly cls: string;
  readonly values: readonly (number | null)[];
}

/** A chart: a title, the times of the points, the lines, and how values read. */
export interface ChartSpec {
  readonly title: string;
  readonly times: readonly Date[];
  readonly series: readonly Series[];
  readonly format: (v: number) => string;
  /** the top of the value axis at least this (e.g. 1 for a rate) */
  readonly minMax?: number;
}

const W = 640;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** A round step so that about four ticks cover `max`. */
function niceStep(max: number): number {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** The path of one series; a missing value lifts the pen. */
function pathOf(values: readonly (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
    pen = true;
  });
  return d.trim();
}

/** A chart figure: the SVG (with a text summary for screen readers) and its legend. */
export function lineChart(spec: ChartSpec, testId: string): HTMLElement {
  const n = spec.times.length;
  const all = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const dataMax = all.length === 0 ? 0 : Math.max(...all);
  const step = niceStep(Math.max(dataMax, spec.minMax ?? 0, 1e-9));
  const top = Math.max(step, Math.ceil(dataMax / step) * step, spec.minMax ?? 0);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;

  const grid: SVGElement[] = [];
  for (let v = 0; v <= top + step / 1000; v += step) {
    grid.push(svg('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    grid.push(svg('text', { class: 'tick', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, spec.format(v)));
  }
  const labels: SVGElement[] = [];
  const every = Math.max(1, Math.ceil(n / 6));
  spec.times.forEach((t, i) => {
    // the label before the last one would overlap it
    if ((i % every !== 0 || n - 1 - i < every / 2) && i !== n - 1) return;
    // the last label ends at the right edge instead of being cut off there
    labels.push(svg('text', { class: 'tick', x: x(i), y: H - 8, 'text-anchor': i === n - 1 && n > 1 ? 'end' : 'middle' }, t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  });
  const lines = spec.series.map((s) => svg('path', { class: `line ${s.cls}`, d: pathOf(s.values, x, y), fill: 'none' }));
  // a point with no neighbour draws no line, so it gets a dot
  const present = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  const dots = spec.series.flatMap((s) => s.values.flatMap((v, i) => (present(v) && !present(s.values[i - 1]) && !present(s.values[i + 1])
    ? [svg('circle', { class: `dot ${s.cls}`, cx: x(i), cy: y(v), r: 3 })] : [])));
  const summary = spec.series.map((s) => {
    const last = [...s.values].reverse().find((v): v is number => v !== null);
    return `${s.name}: latest ${last === undefined ? 'none' : spec.format(last)}`;
  }).join('; ');

  return el('figure', { class: 'chart', 'data-testid': testId },
    el('figcaption', {}, spec.title),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${spec.title}. ${n === 0 ? 'No data.' : summary}` },
      svg('line', { class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom }),
      svg('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }),
      grid, labels, lines, dots),
    el('ul', { class: 'legend' }, spec.series.map((s) => el('li', {}, el('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }), s.name))));
}
