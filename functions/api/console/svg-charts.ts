/**
 * Charts drawn on the server as inline SVG: axis ticks and nice bounds from d3-array (d3's own
 * tick algorithm); the maps from values to pixels and the line paths are a few lines here, since
 * d3-scale and d3-shape would add some 100 KB to the API's bundle (its size is held under 1 MB:
 * tests/infra/bundles.test.ts) for three linear maps and a polyline. The page needs no script at
 * all, so the console keeps its strict Content-Security-Policy; colours are SVG presentation attributes, which the policy's style rule does not cover. Each chart is an
 * `<svg role="img">` named by its title, with an HTML legend.
 */
import { nice, ticks } from 'd3-array';
import { html } from 'hono/html';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
  /** Drawn dashed (a reference line, e.g. a baseline). */
  readonly dashed?: boolean;
}

const W = 720;
const H = 240;
const M = { top: 12, right: 48, bottom: 28, left: 52 };
const AXIS = '#5b6475';
const GRID = '#e5e8ee';

/** A linear map from [0, max] (widened to nice bounds) onto a pixel range, with its ticks. */
interface Linear {
  (value: number): number;
  ticks(count: number): number[];
}

function linear(max: number, [from, to]: readonly [number, number]): Linear {
  const [, top] = nice(0, Math.max(1, max), 5);
  const map = ((v: number) => from + ((to - from) * v) / top) as Linear;
  map.ticks = (count) => ticks(0, top, count);
  return map;
}

/** An SVG path through the points, broken where a value is missing (as d3-shape's line().defined()). */
export function linePath(points: readonly ([number, number] | null)[]): string {
  let d = '';
  let drawing = false;
  for (const p of points) {
    if (!p) drawing = false;
    else {
      d += `${drawing ? 'L' : 'M'}${Math.round(p[0] * 10) / 10},${Math.round(p[1] * 10) / 10}`;
      drawing = true;
    }
  }
  return d;
}

/** Equal bands for the labels across a pixel range, with padding between them (as d3's scaleBand). */
function bands(labels: readonly string[], [from, to]: readonly [number, number], padding: number) {
  const step = (to - from) / Math.max(1, labels.length);
  const index = new Map(labels.map((l, i) => [l, i]));
  const at = (label: string) => from + step * (index.get(label) ?? 0) + (step * padding) / 2;
  return Object.assign(at, { bandwidth: () => step * (1 - padding), center: (label: string) => at(label) + (step * (1 - padding)) / 2 });
}

function legend(series: readonly Pick<Series, 'label' | 'color'>[]) {
  return html`<ul class="legend">${series.map(
    (s) => html`<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${s.color}"></rect></svg> ${s.label}</li>`,
  )}</ul>`;
}

/** Ticks and a label on the left (with the grid) or, for an overlay, on the right (without: it would cross the bars). */
function yAxis(y: Linear, label: string, x = M.left, anchor: 'end' | 'start' = 'end') {
  const dx = anchor === 'end' ? -6 : 6;
  return html`${y.ticks(5).map(
    (t) => html`${anchor === 'end' ? html`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="${GRID}"></line>` : ''}<text x="${x + dx}" y="${y(t) + 4}" text-anchor="${anchor}" font-size="11" fill="${AXIS}">${format(t)}</text>`,
  )}<text x="${anchor === 'end' ? 12 : W - 8}" y="${M.top + (H - M.top - M.bottom) / 2}" font-size="11" fill="${AXIS}" text-anchor="middle" transform="rotate(-90 ${anchor === 'end' ? 12 : W - 8} ${M.top + (H - M.top - M.bottom) / 2})">${label}</text>`;
}

function format(n: number): string {
  return Math.abs(n) >= 1000 ? `${Math.round(n / 100) / 10}k` : String(Math.round(n * 1000) / 1000);
}

/** Day labels under the x axis, thinned so they never overlap (at most ~10). */
function xLabels(labels: readonly string[], at: (label: string) => number) {
  const every = Math.ceil(labels.length / 10);
  return labels.map((l, i) => (i % every === 0 ? html`<text x="${at(l)}" y="${H - 8}" text-anchor="middle" font-size="11" fill="${AXIS}">${l}</text>` : ''));
}

/** Each label's segments, the series stacked in order: where each starts and ends, and its value (non-zero only). */
function stacked(labels: readonly string[], series: readonly Series[]): { label: string; series: Series; from: number; to: number; value: number }[] {
  return labels.flatMap((label, i) => {
    let base = 0;
    return series.flatMap((s) => {
      const value = s.values[i] ?? 0;
      const from = base;
      base += value;
      return value > 0 ? [{ label, series: s, from, to: base, value }] : [];
    });
  });
}

const totalsOf = (labels: readonly string[], series: readonly Series[]) => labels.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));

/** Bars per label, the series stacked; optionally a line on a right-hand axis (e.g. a rate in %). */
export function barChart(title: string, labels: readonly string[], series: readonly Series[], yLabel: string, overlay?: Series & { max: number; axisLabel: string }) {
  const x = bands(labels, [M.left, W - M.right], 0.25);
  const y = linear(Math.max(...totalsOf(labels, series)), [H - M.bottom, M.top]);
  const bars = stacked(labels, series).map(
    (b) => html`<rect x="${x(b.label)}" y="${y(b.to)}" width="${x.bandwidth()}" height="${y(b.from) - y(b.to)}" fill="${b.series.color}"><title>${b.label} · ${b.series.label}: ${format(b.value)}</title></rect>`,
  );
  let overlayPath: unknown = '';
  if (overlay) {
    const r = linear(overlay.max, [H - M.bottom, M.top]);
    const d = linePath(overlay.values.map((v, i) => (v === null ? null : [x.center(labels[i]!), r(v)])));
    overlayPath = html`<path d="${d}" fill="none" stroke="${overlay.color}" stroke-width="2"></path>${overlay.values.map((v, i) =>
      v === null ? '' : html`<circle cx="${x.center(labels[i]!)}" cy="${r(v)}" r="3" fill="${overlay.color}"><title>${labels[i]} · ${overlay.label}: ${format(v)}</title></circle>`,
    )}${yAxis(r, overlay.axisLabel, W - M.right, 'start')}`;
  }
  return figure(title, html`${yAxis(y, yLabel)}${bars}${overlayPath}${xLabels(labels, x.center)}`, overlay ? [...series, overlay] : series);
}

/** Lines per series over the labels; a day without a value is a gap. */
export function lineChart(title: string, labels: readonly string[], series: readonly Series[], yLabel: string) {
  const x = bands(labels, [M.left, W - M.right], 0).center;
  const y = linear(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))), [H - M.bottom, M.top]);
  const paths = series.map((s) => {
    const d = linePath(s.values.map((v, i) => (v === null ? null : [x(labels[i]!), y(v)])));
    return html`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? html` stroke-dasharray="6 4"` : ''}></path>${
      s.dashed ? '' : s.values.map((v, i) => (v === null ? '' : html`<circle cx="${x(labels[i]!)}" cy="${y(v)}" r="3" fill="${s.color}"><title>${labels[i]} · ${s.label}: ${format(v)}</title></circle>`))
    }`;
  });
  return figure(title, html`${yAxis(y, yLabel)}${paths}${xLabels(labels, x)}`, series);
}

/** One horizontal bar per category, the series stacked (e.g. reasons: edited, rejected). */
export function hBarChart(title: string, categories: readonly string[], series: readonly Series[]) {
  const rowH = 26;
  const height = Math.max(60, categories.length * rowH + M.top + M.bottom);
  const left = 150;
  const y = bands(categories, [M.top, height - M.bottom], 0.2);
  const x = linear(Math.max(...totalsOf(categories, series)), [left, W - M.right]);
  const bars = stacked(categories, series).map(
    (b) => html`<rect x="${x(b.from)}" y="${y(b.label)}" width="${x(b.to) - x(b.from)}" height="${y.bandwidth()}" fill="${b.series.color}"><title>${b.label} · ${b.series.label}: ${format(b.value)}</title></rect>`,
  );
  const body = html`${x.ticks(5).map(
    (t) => html`<line x1="${x(t)}" x2="${x(t)}" y1="${M.top}" y2="${height - M.bottom}" stroke="${GRID}"></line><text x="${x(t)}" y="${height - 8}" text-anchor="middle" font-size="11" fill="${AXIS}">${format(t)}</text>`,
  )}${categories.map((c) => html`<text x="${left - 6}" y="${y.center(c) + 4}" text-anchor="end" font-size="11" fill="${AXIS}">${c.length > 24 ? `${c.slice(0, 23)}…` : c}</text>`)}${bars}`;
  return figure(title, body, series, height);
}

function figure(title: string, body: unknown, series: readonly Pick<Series, 'label' | 'color'>[], height = H) {
  return html`<svg class="svg-chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${title}">${body}</svg>${legend(series)}`;
}
