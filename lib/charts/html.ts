/**
 * A self-contained HTML page: charts as inline SVG, each followed by a table
 * of its numbers, and any other tables (an experiment's results). Inline
 * styles only, no scripts, no links: a student opens the file offline and
 * can read every number, not only the picture.
 */
import { escapeXml } from './escape.ts';
import { formatValue } from './scale.ts';
import { renderSvgChart, type SvgChartOptions } from './svg.ts';
import { axisLabel, type Chart, type ChartTable } from './types.ts';

/** What goes on the page. */
export interface HtmlReport {
  readonly title: string;
  /** A paragraph under the title: what was measured, with which settings. */
  readonly intro?: string;
  readonly charts: readonly Chart[];
  /** More tables after the charts (e.g. approach, N, bound, measured, ratio). */
  readonly tables?: readonly ChartTable[];
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
figure{margin:2em 0}svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:1em 0}caption{text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .6em}td.num{text-align:right;font-variant-numeric:tabular-nums}`;

/** The page as one HTML document. */
export function renderHtmlReport(report: HtmlReport, options: SvgChartOptions = {}): string {
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeXml(report.title)}</h1>`,
  ];
  if (report.intro) parts.push(`<p>${escapeXml(report.intro)}</p>`);
  for (const chart of report.charts) {
    parts.push('<figure>', renderSvgChart(chart, options), '</figure>');
    parts.push(renderTable(chartTable(chart)));
  }
  for (const table of report.tables ?? []) parts.push(renderTable(table));
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}

/** The numbers behind a chart: one row per x value, one column per series (blank where a series has no point). */
export function chartTable(chart: Chart): ChartTable {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const yUnit = chart.y.unit ? ` (${chart.y.unit})` : '';
  return {
    caption: `${chart.title}: the numbers`,
    columns: [axisLabel(chart.x), ...chart.series.map((s) => `${s.label}${yUnit}`)],
    rows: xs.map((x) => [x, ...chart.series.map((s) => s.points.find((p) => p.x === x)?.y ?? '')]),
  };
}

/** A table as HTML; numbers right-aligned and formatted by `formatValue`. */
export function renderTable(table: ChartTable): string {
  const head = table.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((v) => (typeof v === 'number' ? `<td class="num">${escapeXml(formatValue(v))}</td>` : `<td>${escapeXml(v)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<caption>${escapeXml(table.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
