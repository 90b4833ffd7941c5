/** Server-drawn charts: stacked bars add up, a day without a value is a gap in its line, text is escaped. */
import { describe, expect, it } from 'vitest';
import { barChart, hBarChart, lineChart } from '../../../../functions/api/console/svg-charts.js';

const render = (chart: unknown) => String(chart);

describe('svg charts', () => {
  it('stacks bars per label, one rect per non-zero value, each with its value as a tooltip', () => {
    const svg = render(barChart('Runs', ['a', 'b'], [
      { label: 'ok', color: '#0a0', values: [2, 0] },
      { label: 'bad', color: '#a00', values: [1, 3] },
    ], 'runs'));
    expect(svg).toContain('role="img" aria-label="Runs"');
    expect([...svg.matchAll(/<rect x=/g)]).toHaveLength(3);
    expect(svg).toContain('<title>a · ok: 2</title>');
    expect(svg).toContain('<title>b · bad: 3</title>');
    const heights = [...svg.matchAll(/height="([\d.]+)" fill="#a00"><title>b/g)].map((m) => Number(m[1]));
    const stacked = [...svg.matchAll(/height="([\d.]+)" fill="#0a0"><title>a/g)].map((m) => Number(m[1]));
    // b's one bar (3) is as tall as a's two stacked (2 + 1)
    const aBad = Number(/height="([\d.]+)" fill="#a00"><title>a/.exec(svg)![1]);
    expect(heights[0]).toBeCloseTo(stacked[0]! + aBad, 5);
  });

  it('breaks a line where a day has no value, and draws a dashed reference without points', () => {
    const svg = render(lineChart('Time', ['a', 'b', 'c'], [
      { label: 'median', color: '#00f', values: [1, null, 3] },
      { label: 'baseline', color: '#f00', values: [5, 5, 5], dashed: true },
    ], 'minutes'));
    const median = /<path d="([^"]+)" fill="none" stroke="#00f"/.exec(svg)![1]!;
    expect(median.match(/M/g)).toHaveLength(2); // two segments: a gap at b
    expect(svg).toContain('stroke="#f00" stroke-width="2" stroke-dasharray="6 4"');
    expect([...svg.matchAll(/<circle[^>]*fill="#f00"/g)]).toHaveLength(0);
    expect([...svg.matchAll(/<circle[^>]*fill="#00f"/g)]).toHaveLength(2);
  });

  it('escapes category names', () => {
    const svg = render(hBarChart('Errors', ['<script>x</script>'], [{ label: 'runs', color: '#a00', values: [1] }]));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});
