/**
 * Charts: round ticks, the terminal drawing (a point lands in its cell), the
 * SVG (well-formed XML, markers at the right coordinates, nothing external)
 * and the HTML page (read back by a real browser when one is installed).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chartTable, renderHtmlReport } from '../../lib/charts/html.ts';
import { formatTick, formatValue, niceTicks } from '../../lib/charts/scale.ts';
import { renderSvgChart } from '../../lib/charts/svg.ts';
import { renderTerminalChart, TERMINAL_MARKERS } from '../../lib/charts/terminal.ts';
import type { Chart } from '../../lib/charts/types.ts';
import { findAll, parseXml, type XmlElement } from '../helpers/xml.ts';

/** A chart on fixed axes 0..10 × 0..100, one line y = 10x and one points series. */
const fixed: Chart = {
  title: 'fixed axes',
  x: { title: 'x', min: 0, max: 10 },
  y: { title: 'y', unit: 's', min: 0, max: 100 },
  series: [
    { label: 'bound', kind: 'line', points: [0, 5, 10].map((x) => ({ x, y: 10 * x })) },
    { label: 'measured', kind: 'points', points: [{ x: 3, y: 70 }] },
  ],
};

describe('round ticks', () => {
  test('steps of 1, 2 or 5 × 10^k and ends on ticks', () => {
    expect(niceTicks(0, 32)).toEqual({ min: 0, max: 40, step: 10, values: [0, 10, 20, 30, 40] });
    expect(niceTicks(2, 32, 10)).toMatchObject({ min: 0, max: 35, step: 5 });
    expect(niceTicks(0, 7500)).toMatchObject({ min: 0, max: 8000, step: 2000 });
    expect(niceTicks(0.013, 0.087).values).toEqual([0, 0.02, 0.04, 0.06, 0.08, 0.1]);
    expect(niceTicks(5, 5)).toMatchObject({ min: 4.4, max: 5.6 });
    expect(niceTicks(0, 0)).toMatchObject({ min: 0, max: 1 });
    expect(niceTicks(0, 10, 6, true)).toMatchObject({ min: 0, max: 10, values: [0, 2, 4, 6, 8, 10] });
  });

  test('any range: covered, round, and not too many ticks', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), (a, b) => {
        const t = niceTicks(a, b);
        expect(t.min).toBeLessThanOrEqual(Math.min(a, b));
        expect(t.max).toBeGreaterThanOrEqual(Math.max(a, b));
        const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step));
        expect([1, 2, 5]).toContain(Number(mantissa.toPrecision(6)));
        expect(t.values.length).toBeLessThanOrEqual(8);
        for (const v of t.values) expect(Math.abs(v / t.step - Math.round(v / t.step))).toBeLessThan(1e-6);
      }),
    );
  });

  test('labels: decimals as the step needs, k/M for large axes, ∞ in tables', () => {
    expect(formatTick(0.4, { min: 0, max: 1, step: 0.2 })).toBe('0.4');
    expect(formatTick(20_000, { min: 0, max: 80_000, step: 20_000 })).toBe('20k');
    expect(formatTick(2_500_000, { min: 0, max: 5e6, step: 500_000 })).toBe('2500k');
    expect(formatTick(3e6, { min: 0, max: 5e6, step: 1e6 })).toBe('3M');
    expect([formatValue(Infinity), formatValue(1.23456), formatValue(12_345.6), formatValue(Number.NaN)]).toEqual(['∞', '1.235', '12346', '—']);
  });
});

describe('terminal chart', () => {
  /** The plot's rows and where its first column is, found from the axis corner. */
  function plotOf(lines: string[], height: number): { rows: string[]; left: number } {
    const axis = lines.findIndex((l) => l.includes('└'));
    expect(axis).toBeGreaterThan(height - 1);
    return { rows: lines.slice(axis - height, axis), left: lines[axis]!.indexOf('└') + 1 };
  }

  test('a point lands in the cell of its value, with its series marker', () => {
    const lines = renderTerminalChart(fixed, { width: 11, height: 11 });
    const { rows, left } = plotOf(lines, 11);
    // x 3 of 0..10 on 11 columns: column 3; y 70 of 0..100 on 11 rows: row 3 from the top
    expect(rows[3]![left + 3]).toBe(TERMINAL_MARKERS[0]);
    expect(rows.map((r) => [...r.slice(left)].filter((c) => c === TERMINAL_MARKERS[0]).length).reduce((a, b) => a + b)).toBe(1);
  });

  test('a line is drawn in Braille from end to end; ticks and titles are labelled', () => {
    const lines = renderTerminalChart(fixed, { width: 20, height: 10 });
    const { rows, left } = plotOf(lines, 10);
    /** 'braille' for a cell with Braille dots, else the character itself (so a failure shows it). */
    const kind = (c: string | undefined): string => (c !== undefined && c >= '\u2801' && c <= '\u28ff' ? 'braille' : `${JSON.stringify(c)}`);
    expect(kind(rows[9]![left])).toBe('braille'); // (0, 0): bottom left
    expect(kind(rows[0]![left + 19])).toBe('braille'); // (10, 100): top right
    expect(lines[0]).toBe('fixed axes');
    expect(lines[1]).toBe('y (s)');
    expect(rows[0]!.trimStart().slice(0, 5)).toBe('100 ┤');
    expect(lines.at(-2)).toBe(`  ⠒⠒ bound`);
    expect(lines.at(-1)).toBe(`  ${TERMINAL_MARKERS[0]} measured`);
  });

  test('paint is called per series, so the CLI can colour them', () => {
    const painted = renderTerminalChart(fixed, { width: 11, height: 11, paint: (text, s) => `<${s}>${text}</${s}>` }).join('\n');
    expect(painted).toContain(`<1>${TERMINAL_MARKERS[0]}</1>`);
    expect(painted).toContain('<0>');
  });

  test('infinite values and empty series are left out, not crashed on', () => {
    const chart: Chart = { ...fixed, x: { title: 'x' }, y: { title: 'y' }, series: [{ label: 'inf', kind: 'points', points: [{ x: 1, y: Infinity }, { x: 2, y: 5 }] }, { label: 'none', kind: 'line', points: [] }] };
    const lines = renderTerminalChart(chart, { width: 20, height: 8 });
    expect(lines.join('\n').split(TERMINAL_MARKERS[0]).length - 1).toBe(2); // the finite point and the legend
  });
});

describe('SVG chart', () => {
  const num = (el: XmlElement, attr: string): number => Number(el.attrs[attr]);

  test('is well-formed XML with an svg root and nothing external', () => {
    const svg = renderSvgChart(fixed);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(findAll(root, (el) => ['script', 'image', 'use', 'foreignObject', 'a', 'style'].includes(el.name)).map((el) => el.name)).toEqual([]);
    expect(findAll(root, (el) => Object.keys(el.attrs).some((a) => a.endsWith('href'))).length).toBe(0);
  });

  test('markers sit at their data coordinates inside the plot area, lines pass through theirs', () => {
    const root = parseXml(renderSvgChart(fixed, { width: 600, height: 400 }));
    const [area] = findAll(root, (el) => el.attrs.class === 'plot-area');
    const [left, top, width, height] = ['x', 'y', 'width', 'height'].map((a) => num(area!, a)) as [number, number, number, number];
    const at = (x: number, y: number): [number, number] => [left + (x / 10) * width, top + height - (y / 100) * height];
    const [point] = findAll(root, (el) => el.attrs.class === 'point');
    expect(point!.name).toBe('circle');
    expect([num(point!, 'cx'), num(point!, 'cy')]).toEqual(at(3, 70).map((v) => Math.round(v * 100) / 100));
    expect(point!.children[0]!.text).toBe('measured: 3, 70');
    const [line] = findAll(root, (el) => el.name === 'polyline');
    const vertices = line!.attrs.points!.split(' ').map((pair) => pair.split(',').map(Number));
    expect(vertices).toEqual([at(0, 0), at(5, 50), at(10, 100)].map((p) => p.map((v) => Math.round(v * 100) / 100)));
  });

  test('ticks are round numbers from the data, y from zero', () => {
    const chart: Chart = { title: 't', x: { title: 'N' }, y: { title: 'time', unit: 's' }, series: [{ label: 'm', kind: 'points', points: [{ x: 2, y: 3.1 }, { x: 32, y: 37.3 }] }] };
    const root = parseXml(renderSvgChart(chart));
    const texts = (cls: string): string[] => findAll(root, (el) => el.attrs.class === cls).map((el) => el.text);
    expect(texts('tick-x')).toEqual(['0', '10', '20', '30', '40']);
    expect(texts('tick-y')).toEqual(['0', '10', '20', '30', '40']);
    expect(texts('axis-title-y')).toEqual(['time (s)']);
  });

  test('labels with markup characters stay text; a point off the chart or infinite is left out', () => {
    const label = `<b>&"quoted"'\u0001`;
    const chart: Chart = {
      title: label,
      x: { title: 'x', min: 0, max: 10 },
      y: { title: 'y', min: 0, max: 10 },
      series: [{ label, kind: 'points', points: [{ x: 1, y: 1 }, { x: 20, y: 1 }, { x: 2, y: Infinity }] }],
    };
    const root = parseXml(renderSvgChart(chart));
    expect(findAll(root, (el) => el.attrs.class === 'chart-title')[0]!.text).toBe(`<b>&"quoted"'\uFFFD`);
    expect(findAll(root, (el) => el.attrs.class === 'point').map((el) => el.attrs['data-x'])).toEqual(['1']);
  });

  test('the XML reader used here does reject broken documents', () => {
    for (const broken of ['<a><b></a></b>', '<a x=1/>', '<a>1 < 2</a>', '<a>&nbsp;</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>']) {
      expect(() => parseXml(broken), broken).toThrow(/not well-formed/);
    }
  });
});

describe('HTML page', () => {
  const chromium = '/usr/bin/chromium';

  test('one document: the SVG inline, a table of its numbers, extra tables; no scripts or links', () => {
    const html = renderHtmlReport({
      title: 'Distribution <time>',
      intro: 'F = 4 MB',
      charts: [fixed],
      tables: [{ caption: 'results', columns: ['approach', 'N', 'ratio'], rows: [['p2p', 8, 1.0312]] }],
    });
    expect(html.slice(0, 15)).toBe('<!DOCTYPE html>');
    expect(html).toContain('<title>Distribution &lt;time&gt;</title>');
    expect(html.split('<svg').length - 1).toBe(1);
    expect(html).toContain('<td>p2p</td><td class="num">8</td><td class="num">1.031</td>');
    for (const external of ['<script', '<link', 'src=', 'href=', 'url(']) expect(html).not.toContain(external);
  });

  test('the table of a chart: one row per x, one column per series, blanks where a series has no point', () => {
    expect(chartTable(fixed)).toEqual({
      caption: 'fixed axes: the numbers',
      columns: ['x', 'bound (s)', 'measured (s)'],
      rows: [
        [0, 0, ''],
        [3, '', 70],
        [5, 50, ''],
        [10, 100, ''],
      ],
    });
  });

  test.skipIf(!existsSync(chromium))('a real browser reads the page offline: the SVG parses and draws its markers', async () => {
    const { chromium: launcher } = await import('playwright-core');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-chart-'));
    const browser = await launcher.launch({
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const file = path.join(dir, 'chart.html');
      writeFileSync(file, renderHtmlReport({ title: 'chart', charts: [fixed] }));
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      // Runs in the page (a string: this project's types have no DOM).
      const seen = await page.evaluate(`(() => {
        const svg = document.querySelector('svg');
        const parsed = new DOMParser().parseFromString(svg.outerHTML, 'image/svg+xml');
        const circle = svg.querySelector('circle.point').getBoundingClientRect();
        return { parseErrors: parsed.getElementsByTagName('parsererror').length, circles: svg.querySelectorAll('circle.point').length, circleWidth: Math.round(circle.width), rows: document.querySelectorAll('tbody tr').length };
      })()`);
      expect(seen).toEqual({ parseErrors: 0, circles: 1, circleWidth: 8, rows: 4 });
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
