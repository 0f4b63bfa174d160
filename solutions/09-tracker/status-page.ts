/**
 * The small HTML page `GET /` shows: which swarms the tracker knows and how
 * big they are. Given complete: the same file in exercises/ and solutions/.
 */
import type { SwarmSummary } from './types.ts';

/** Renders the status page for people with a browser (`http://127.0.0.1:PORT/`). */
export function renderStatusPage(swarms: readonly SwarmSummary[], peers: number): string {
  const rows = swarms
    .map((s) => `<tr><td><code>${s.infoHashHex}</code></td><td>${s.complete}</td><td>${s.incomplete}</td><td>${s.downloaded}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>wirelab tracker</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:right}td:first-child{text-align:left}</style>
</head><body>
<h1>wirelab tracker</h1>
<p>${swarms.length} swarm${swarms.length === 1 ? '' : 's'}, ${peers} peer${peers === 1 ? '' : 's'}.
Announce over HTTP at <code>/announce</code> or over UDP on the same port.</p>
<table><thead><tr><th>info_hash</th><th>seeders</th><th>leechers</th><th>completed</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
