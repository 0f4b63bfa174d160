/**
 * What a chart shows, independent of where it is drawn (terminal, SVG, HTML):
 * numeric x and y on linear scales, and several series, each a line (a
 * formula's curve, a bound) or points (measurements).
 */

/** One data point. Points whose x or y is not finite (an infinite bound) are left out of the drawing. */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

/** One series: its points, how it is drawn, its name in the legend. */
export interface ChartSeries {
  /** Shown in the legend and as the column header of the data table. */
  readonly label: string;
  /** `line`: the points joined in x order; `points`: a marker at each point. */
  readonly kind: 'line' | 'points';
  readonly points: readonly ChartPoint[];
  /** A CSS colour for SVG and HTML (a bound and its measurements can share one). @default from a colour-blind-safe palette */
  readonly color?: string;
}

/** One axis: its title, its unit, and optionally a fixed range. */
export interface ChartAxis {
  /** e.g. `"peers (N)"`, `"distribution time"`. */
  readonly title: string;
  /** e.g. `"s"`; shown after the title in brackets and in the table header. */
  readonly unit?: string;
  /** Fixed lower end. @default from the data, rounded down to a tick (0 for y when all data ≥ 0) */
  readonly min?: number;
  /** Fixed upper end. @default from the data, rounded up to a tick */
  readonly max?: number;
}

/** A whole chart. */
export interface Chart {
  readonly title: string;
  readonly x: ChartAxis;
  readonly y: ChartAxis;
  readonly series: readonly ChartSeries[];
}

/** A table of numbers or text, for the HTML page. */
export interface ChartTable {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** `"distribution time (s)"`: an axis title with its unit. */
export function axisLabel(axis: ChartAxis): string {
  return axis.unit ? `${axis.title} (${axis.unit})` : axis.title;
}
