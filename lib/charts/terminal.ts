/**
 * A chart as lines of text for the terminal. Lines are drawn in Braille
 * dots (each character cell holds 2 × 4 dots, so a slope looks like a slope);
 * points are drawn as one marker per series (● ■ ▲ …) in the cell they fall
 * in, over any line. No colour here: pass `paint` (e.g. chalk) to colour
 * each series.
 *
 *   distribution time against N
 *   time (s)
 *    40 ┤                 ⢀⠔
 *    20 ┤   ●       ⢀⠤⠒⠉
 *     0 ┤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤
 *       └┬──────┬──────┬──
 *        0      10     20
 *                   peers (N)
 */
import { chartTicks, formatTick, linearScale } from './scale.ts';
import { axisLabel, type Chart } from './types.ts';

/** Options of {@link renderTerminalChart}. */
export interface TerminalChartOptions {
  /** Columns of the plot area (not counting the labels). @default 60 */
  width?: number;
  /** Rows of the plot area. @default 15 */
  height?: number;
  /** Colours one run of characters of a series (its index in `chart.series`). @default no colour */
  paint?: (text: string, series: number) => string;
}

/** The marker of the k-th points series. */
export const TERMINAL_MARKERS = ['●', '■', '▲', '◆', '○', '□', '△', '◇'] as const;
/** What a line series looks like in the legend. */
const LINE_SAMPLE = '⠒⠒';
const BRAILLE_BASE = 0x2800;
/** The Braille dot bit at column c (0–1) and row r (0–3) of a cell. */
const BRAILLE_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;

/** One character cell of the plot: Braille dots of lines, or a marker, and the series that drew it last. */
interface Cell {
  dots: number;
  marker?: string;
  series?: number;
}

/** Draws `chart` as text lines (title, plot with axes and ticks, axis titles, legend). */
export function renderTerminalChart(chart: Chart, options: TerminalChartOptions = {}): string[] {
  const width = Math.max(10, Math.floor(options.width ?? 60));
  const height = Math.max(4, Math.floor(options.height ?? 15));
  const paint = options.paint ?? ((text: string) => text);
  const ticks = chartTicks(chart, { x: Math.max(2, Math.floor(width / 10)), y: Math.max(2, Math.floor(height / 3)) });
  const cells: Cell[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => ({ dots: 0 })));

  // Lines first, in Braille dots, then the markers over them.
  const dotX = linearScale(ticks.x.min, ticks.x.max, 0, width * 2 - 1);
  const dotY = linearScale(ticks.y.min, ticks.y.max, height * 4 - 1, 0);
  chart.series.forEach((series, s) => {
    if (series.kind !== 'line') return;
    const pts = finiteSorted(series.points);
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i]!, pts[i + 1]!];
      const [x0, y0, x1, y1] = [dotX(a.x), dotY(a.y), dotX(b.x), dotY(b.y)];
      const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
      for (let k = 0; k <= steps; k++) plotDot(cells, Math.round(x0 + ((x1 - x0) * k) / steps), Math.round(y0 + ((y1 - y0) * k) / steps), s);
    }
    if (pts.length === 1) plotDot(cells, Math.round(dotX(pts[0]!.x)), Math.round(dotY(pts[0]!.y)), s);
  });
  const col = linearScale(ticks.x.min, ticks.x.max, 0, width - 1);
  const row = linearScale(ticks.y.min, ticks.y.max, height - 1, 0);
  const markerOf = markerTable(chart);
  chart.series.forEach((series, s) => {
    if (series.kind !== 'points') return;
    for (const p of finiteSorted(series.points)) {
      const cell = cells[Math.round(row(p.y))]?.[Math.round(col(p.x))];
      if (cell) Object.assign(cell, { marker: markerOf.get(s), series: s });
    }
  });

  // Left gutter: y tick labels at the rows their values fall on.
  const yLabels = new Map(ticks.y.values.map((v) => [Math.round(row(v)), formatTick(v, ticks.y)]));
  const gutter = Math.max(...[...yLabels.values()].map((l) => l.length));
  const lines = [chart.title, axisLabel(chart.y)];
  cells.forEach((cellRow, r) => {
    const label = yLabels.get(r);
    lines.push(`${(label ?? '').padStart(gutter)} ${label === undefined ? '│' : '┤'}${paintRow(cellRow, paint)}`);
  });

  // X axis: a tick mark under each tick value, its label centred below when there is room.
  const axis = Array.from({ length: width }, () => '─');
  let labels = '';
  for (const v of ticks.x.values) {
    const c = Math.round(col(v));
    if (c < 0 || c >= width) continue;
    axis[c] = '┬';
    const text = formatTick(v, ticks.x);
    const at = Math.max(0, c - Math.floor((text.length - 1) / 2));
    if ((labels.length === 0 || at > labels.length) && at + text.length <= width + 4) labels = labels.padEnd(at) + text;
  }
  const indent = ' '.repeat(gutter + 1);
  lines.push(`${indent}└${axis.join('')}`, `${indent} ${labels}`);
  const xTitle = axisLabel(chart.x);
  lines.push(`${indent} ${' '.repeat(Math.max(0, width - xTitle.length))}${xTitle}`);
  chart.series.forEach((series, s) => lines.push(`  ${paint(series.kind === 'line' ? LINE_SAMPLE : markerOf.get(s)!, s)} ${series.label}`));
  return lines;
}

/** Which marker each points series gets, in the order they appear. */
function markerTable(chart: Chart): Map<number, string> {
  const table = new Map<number, string>();
  chart.series.forEach((series, s) => {
    if (series.kind === 'points') table.set(s, TERMINAL_MARKERS[table.size % TERMINAL_MARKERS.length]!);
  });
  return table;
}

function finiteSorted(points: Chart['series'][number]['points']): Array<{ x: number; y: number }> {
  return points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
}

/** Sets one Braille dot (x in half-cells, y in quarter-cells); dots off the plot are dropped. */
function plotDot(cells: Cell[][], x: number, y: number, series: number): void {
  const cell = cells[Math.floor(y / 4)]?.[Math.floor(x / 2)];
  if (cell === undefined || x < 0 || y < 0) return;
  cell.dots |= BRAILLE_BITS[x % 2]![y % 4]!;
  cell.series = cell.marker === undefined ? series : cell.series;
}

/** One plot row as text, each run of cells of one series painted once. */
function paintRow(row: Cell[], paint: (text: string, series: number) => string): string {
  let out = '';
  let run = '';
  let runSeries: number | undefined;
  for (const cell of row) {
    const ch = cell.marker ?? (cell.dots === 0 ? ' ' : String.fromCharCode(BRAILLE_BASE + cell.dots));
    if (cell.series !== runSeries) {
      out += runSeries === undefined ? run : paint(run, runSeries);
      [run, runSeries] = ['', cell.series];
    }
    run += ch;
  }
  return out + (runSeries === undefined ? run : paint(run, runSeries));
}
