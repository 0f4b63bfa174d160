/**
 * Linear scales with round ticks: an axis from 0 to 40 in steps of 10 reads
 * better than one from 0 to 37.3 in steps of 7.46. Steps are 1, 2 or 5 times
 * a power of ten, the ends multiples of the step.
 */
import type { Chart, ChartAxis } from './types.ts';

/** An axis range and its tick values. */
export interface Ticks {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** From `min` to `max`, every `step` (only those inside when the range was fixed). */
  readonly values: readonly number[];
}

/** The smallest step of 1, 2 or 5 × 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** Removes the binary noise of repeated addition: 0.30000000000000004 → 0.3. */
const tidy = (v: number): number => Number(v.toPrecision(12));

/**
 * Round ticks covering `lo`..`hi`, at most about `maxTicks` of them. With
 * `fixed`, the range stays exactly `lo`..`hi` and only the ticks inside it
 * are listed; otherwise the range grows to the nearest ticks.
 */
export function niceTicks(lo: number, hi: number, maxTicks = 6, fixed = false): Ticks {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new RangeError(`niceTicks(${lo}, ${hi}): the range must be finite`);
  if (lo > hi) [lo, hi] = [hi, lo];
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo <= scale * 1e-9 || hi - lo < 1e-200) {
    // One value (or as good as): a range around it, from 0 if it is positive and near 0.
    const pad = scale < 1e-200 ? 1 : scale / 10;
    [lo, hi] = lo >= 0 && lo - pad < 0 ? [0, hi + pad] : [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / Math.max(1, maxTicks - 1));
  let min = fixed ? lo : tidy(Math.floor(lo / step) * step);
  let max = fixed ? hi : tidy(Math.ceil(hi / step) * step);
  // Rounding (or a quotient too small for a double) can land a hair inside the data: one step out.
  if (min > lo) min = tidy(min - step);
  if (max < hi) max = tidy(max + step);
  const values: number[] = [];
  for (let i = Math.ceil(tidy(min / step)); tidy(i * step) <= max; i++) values.push(tidy(i * step));
  return { min, max, step, values };
}

/** Maps `[d0, d1]` onto `[r0, r1]` linearly (r1 < r0 is fine: screen y grows downwards). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The tick ranges of both axes of `chart`: from the data (finite points only), unless the axis fixes them. */
export function chartTicks(chart: Chart, maxTicks = { x: 6, y: 6 }): { x: Ticks; y: Ticks } {
  const points = chart.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x: axisTicks(chart.x, xs, false, maxTicks.x), y: axisTicks(chart.y, ys, true, maxTicks.y) };
}

function axisTicks(axis: ChartAxis, data: number[], fromZero: boolean, maxTicks: number): Ticks {
  let lo = axis.min ?? (data.length > 0 ? Math.min(...data) : 0);
  let hi = axis.max ?? (data.length > 0 ? Math.max(...data) : 1);
  // Quantities like times and ratios start at zero, so bars of the eye compare honestly.
  if (fromZero && axis.min === undefined && lo > 0) lo = 0;
  if (fromZero && axis.max === undefined && hi < 0) hi = 0;
  return niceTicks(lo, hi, maxTicks, axis.min !== undefined && axis.max !== undefined);
}

/**
 * A tick label: as many decimals as the step needs. On an axis reaching
 * 10,000 or more, values are shown in k, M or G (chosen by the step, the same
 * for every tick of the axis): 0, 20k, 40k.
 */
export function formatTick(value: number, ticks: Pick<Ticks, 'min' | 'max' | 'step'>): string {
  const { step } = ticks;
  const [div, suffix] = Math.max(Math.abs(ticks.min), Math.abs(ticks.max)) < 10_000 ? [1, ''] : step >= 1e9 ? [1e9, 'G'] : step >= 1e6 ? [1e6, 'M'] : step >= 1e3 ? [1e3, 'k'] : [1, ''];
  const decimals = Math.max(0, -Math.floor(Math.log10(step / div) + 1e-9));
  const text = (value / div).toFixed(Math.min(decimals, 12));
  return value === 0 ? text : text + suffix;
}

/** A value for a table: ∞ for infinity, at most 4 significant digits below 1000, whole numbers above. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(4)));
}
