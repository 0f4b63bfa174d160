/**
 * A chart as a self-contained SVG document: axes with round ticks and light
 * grid lines, one polyline per line series, one marker per point (with a
 * tooltip giving its values), a legend under the plot. No scripts, fonts or
 * links: it opens offline, in a browser or an image viewer.
 */
import { escapeXml } from './escape.ts';
import { chartTicks, formatTick, formatValue, linearScale } from './scale.ts';
import { axisLabel, type Chart, type ChartPoint } from './types.ts';

/** Options of {@link renderSvgChart}. */
export interface SvgChartOptions {
  /** Width of the drawing in pixels. @default 720 */
  width?: number;
  /** Height of title, plot and axes, in pixels (the legend adds a row per series). @default 420 */
  height?: number;
}

/** Okabe–Ito colours: told apart by colour-blind readers too. */
export const CHART_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

const MARGIN = { left: 72, right: 24, top: 40, bottom: 60 } as const;
const LEGEND_ROW = 20;
const MARKER_RADIUS = 4;
/** Two decimals are finer than a pixel. */
const px = (v: number): string => String(Math.round(v * 100) / 100);

/** The colour of series `s`. */
export function seriesColor(chart: Chart, s: number): string {
  return chart.series[s]?.color ?? CHART_COLORS[s % CHART_COLORS.length]!;
}

/** Draws `chart` as an SVG document (a string starting with `<svg`). */
export function renderSvgChart(chart: Chart, options: SvgChartOptions = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const total = height + chart.series.length * LEGEND_ROW;
  const plot = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
  const ticks = chartTicks(chart);
  const sx = linearScale(ticks.x.min, ticks.x.max, plot.left, plot.right);
  const sy = linearScale(ticks.y.min, ticks.y.max, plot.bottom, plot.top);
  const inside = (p: ChartPoint): boolean =>
    Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= ticks.x.min && p.x <= ticks.x.max && p.y >= ticks.y.min && p.y <= ticks.y.max;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" role="img" aria-label="${escapeXml(chart.title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${total}" fill="#ffffff"/>`,
    `<text class="chart-title" x="${px(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<rect class="plot-area" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#888888"/>`,
  ];
  for (const v of ticks.x.values) {
    const x = px(sx(v));
    out.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.bottom + 5}" stroke="#e4e4e4"/>`);
    out.push(`<text class="tick-x" x="${x}" y="${plot.bottom + 18}" text-anchor="middle">${escapeXml(formatTick(v, ticks.x))}</text>`);
  }
  for (const v of ticks.y.values) {
    const y = px(sy(v));
    out.push(`<line x1="${plot.left - 5}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text class="tick-y" x="${plot.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(v, ticks.y))}</text>`);
  }
  out.push(`<text class="axis-title-x" x="${px((plot.left + plot.right) / 2)}" y="${plot.bottom + 42}" text-anchor="middle">${escapeXml(axisLabel(chart.x))}</text>`);
  const yMid = px((plot.top + plot.bottom) / 2);
  out.push(`<text class="axis-title-y" x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})">${escapeXml(axisLabel(chart.y))}</text>`);

  let markers = 0;
  chart.series.forEach((series, s) => {
    const color = escapeXml(seriesColor(chart, s));
    out.push(`<g class="series series-${series.kind}" data-label="${escapeXml(series.label)}">`);
    if (series.kind === 'line') {
      for (const run of runsInside(series.points, inside)) {
        out.push(`<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${run.map((p) => `${px(sx(p.x))},${px(sy(p.y))}`).join(' ')}"/>`);
      }
    } else {
      const shape = markers++;
      for (const p of series.points.filter(inside)) {
        const tip = `<title>${escapeXml(`${series.label}: ${formatValue(p.x)}, ${formatValue(p.y)}`)}</title>`;
        out.push(`${marker(shape, sx(p.x), sy(p.y), color, `class="point" data-x="${p.x}" data-y="${p.y}"`, tip)}`);
      }
    }
    out.push('</g>');
    // Legend row: a sample of the line or marker, then the label.
    const ly = height + s * LEGEND_ROW + LEGEND_ROW / 2;
    const sample =
      series.kind === 'line'
        ? `<line x1="${plot.left}" y1="${ly}" x2="${plot.left + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`
        : marker(markers - 1, plot.left + 12, ly, color, 'class="legend-marker"', '');
    out.push(`<g class="legend">${sample}<text x="${plot.left + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(series.label)}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Consecutive points (in x order) that can be drawn: a point off the chart breaks the line. */
function runsInside(points: readonly ChartPoint[], inside: (p: ChartPoint) => boolean): ChartPoint[][] {
  const runs: ChartPoint[][] = [[]];
  for (const p of [...points].sort((a, b) => a.x - b.x)) {
    if (inside(p)) runs[runs.length - 1]!.push(p);
    else if (runs[runs.length - 1]!.length > 0) runs.push([]);
  }
  return runs.filter((r) => r.length > 0);
}

/** The k-th marker shape (circle, square, triangle, diamond) centred at (x, y). */
function marker(shape: number, x: number, y: number, color: string, attrs: string, inner: string): string {
  const r = MARKER_RADIUS;
  const [tag, geometry] = [
    ['circle', `cx="${px(x)}" cy="${px(y)}" r="${r}"`],
    ['rect', `x="${px(x - r)}" y="${px(y - r)}" width="${2 * r}" height="${2 * r}"`],
    ['path', `d="M${px(x)} ${px(y - r - 1)}L${px(x + r + 1)} ${px(y + r)}L${px(x - r - 1)} ${px(y + r)}Z"`],
    ['path', `d="M${px(x)} ${px(y - r - 1)}L${px(x + r + 1)} ${px(y)}L${px(x)} ${px(y + r + 1)}L${px(x - r - 1)} ${px(y)}Z"`],
  ][shape % 4]!;
  return `<${tag} ${attrs} ${geometry} fill="${color}"${inner === '' ? '/>' : `>${inner}</${tag}>`}`;
}
