/**
 * A gradebook as CSV (RFC 4180: comma-separated, CRLF line ends, fields with
 * a comma, quote or line break quoted, quotes doubled), one row per student:
 *
 *   student,total,possible,01-udp-echo,02-udp-pinger,…
 *   alice,40,40,21,19
 */
import type { BatchResult } from '../batch.ts';

/** Quotes a field when RFC 4180 needs it. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The gradebook of a batch; exercise columns hold the points earned. */
export function gradesCsv(batch: BatchResult): string {
  const header = ['student', 'total', 'possible', ...batch.exercises.map((e) => e.id)];
  const rows = batch.students.map((s) => [s.name, s.earned, s.possible, ...s.exercises.map((r) => r.earned)]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
