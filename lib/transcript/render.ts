/**
 * Turns a {@link Transcript} into the C:/S: dialogue a student reads when a
 * test fails. Pure: a transcript in, a string (or structured lines) out; the
 * CLI adds colour.
 *
 * The messages come from messages.ts (stream chunks merged per direction, so
 * a line that arrived in three reads shows once, where it started; datagrams
 * one by one). Here they become display lines: the first place the test
 * marked with `expect()` gets its note; long dialogues keep the last lines
 * (or the lines around the mark) and say how many were left out.
 */
import { decodeTextLine } from './decode.ts';
import { decodeMessages } from './messages.ts';
import type { Direction, Transcript, TranscriptDecoder } from './transcript.ts';

/** How a transcript is rendered. */
export interface RenderOptions {
  /** Display lines kept at most (the mark is always kept in view). @default 60 */
  maxLines?: number;
  /** Characters of one line kept at most; the rest is elided with a count. @default 160 */
  maxLineChars?: number;
  /** Prefix each line with its time since the transcript started (`+0.012s`). @default false */
  timestamps?: boolean;
  /** Overrides the transcript's own decoder. */
  decoder?: TranscriptDecoder;
  /** Put before every line. @default two spaces */
  indent?: string;
}

/** One display line of a rendered transcript, for callers that colour or filter it. */
export interface TranscriptLine {
  /** `message`: something a side said; `elided`: "… N earlier lines"; `note`: a mark with no line of its own. */
  kind: 'message' | 'elided' | 'note';
  direction?: Direction;
  /** The content, without the `C: ` prefix. */
  text: string;
  /** Milliseconds since the transcript started (first line of a message only). */
  at?: number;
  /** Said of a message cut off at the end: `no line end` or `incomplete`. */
  remark?: string;
  /** What a fault proxy did to it. */
  fault?: string;
  /** What the test expected instead (the first mark). */
  note?: string;
}

const PREFIX = { client: 'C: ', server: 'S: ' } as const;
/** Column the `<- note` starts at (if the line is shorter). */
const NOTE_COLUMN = 24;

/** Shortens a line past `max` characters, saying how much was left out. */
function elide(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(1, max - 20);
  return `${text.slice(0, keep)}… (+${text.length - keep} chars)`;
}

/** Keeps at most `max` lines: the last ones, or a window around the mark if it is earlier. */
function cap(lines: TranscriptLine[], max: number): TranscriptLine[] {
  if (lines.length <= max) return lines;
  const mark = lines.findIndex((l) => l.note !== undefined);
  // The tail, after one "… earlier lines" line; or, if the mark is further
  // back, a window around it with a line for what is left out on each side.
  let start = lines.length - Math.max(1, max - 1);
  let end = lines.length;
  if (mark !== -1 && mark < start) {
    const room = Math.max(1, max - 2);
    start = Math.max(0, mark - Math.floor((room * 2) / 3));
    end = Math.min(lines.length, start + (start === 0 ? room + 1 : room));
  }
  const kept = lines.slice(start, end);
  const plural = (n: number) => (n === 1 ? 'line' : 'lines');
  if (start > 0) kept.unshift({ kind: 'elided', text: `… ${start} earlier ${plural(start)}` });
  if (end < lines.length) kept.push({ kind: 'elided', text: `… ${lines.length - end} later ${plural(lines.length - end)}` });
  return kept;
}

/** The dialogue as structured display lines (decoded, marked and capped). */
export function transcriptLines(transcript: Transcript, options: RenderOptions = {}): TranscriptLine[] {
  const decoder = options.decoder ?? transcript.decoder ?? decodeTextLine;
  const maxLineChars = options.maxLineChars ?? 160;
  const messages = decodeMessages(transcript.entries, decoder);

  const lines: TranscriptLine[] = [];
  let noted = false;
  for (const message of messages) {
    const parts = message.text.split('\n');
    parts.forEach((part, i) => {
      const line: TranscriptLine = { kind: 'message', direction: message.direction, text: elide(part, maxLineChars) };
      if (i === 0) line.at = message.at;
      if (i === parts.length - 1 && message.remark !== undefined) line.remark = message.remark;
      if (i === parts.length - 1 && message.fault !== undefined) line.fault = message.fault;
      if (i === parts.length - 1 && message.note !== undefined && !noted) {
        line.note = message.note;
        noted = true;
      }
      lines.push(line);
    });
  }
  if (transcript.omitted.chunks > 0) {
    const { chunks, bytes } = transcript.omitted;
    lines.push({ kind: 'elided', text: `… ${chunks} more ${chunks === 1 ? 'chunk' : 'chunks'} (${bytes} bytes) not kept` });
  }
  const note = transcript.note;
  if (note !== undefined && !noted) {
    lines.push({ kind: 'note', text: lines.length === 0 ? '(nothing was recorded)' : '(end of transcript)', note });
  }
  return cap(lines, options.maxLines ?? 60);
}

/** Formats one display line: `  C: EHLO a.test`, with fault, note and timestamp if any. */
export function formatTranscriptLine(line: TranscriptLine, options: RenderOptions = {}): string {
  const indent = options.indent ?? '  ';
  const time = options.timestamps ? `${line.at === undefined ? ''.padStart(8) : `+${(line.at / 1000).toFixed(3)}s`} ` : '';
  let text = line.kind === 'message' && line.direction ? `${PREFIX[line.direction]}${line.text}` : line.text;
  if (line.remark !== undefined) text += `  (${line.remark})`;
  if (line.fault !== undefined) text += `  [${line.fault}]`;
  if (line.note !== undefined) text = `${text.padEnd(NOTE_COLUMN - indent.length - 2)}  <- ${line.note}`;
  return `${indent}${time}${text}`;
}

/** Renders a transcript as the C:/S: dialogue, marking the first place it left what the test expected. */
export function renderTranscript(transcript: Transcript, options: RenderOptions = {}): string {
  return transcriptLines(transcript, options)
    .map((line) => formatTranscriptLine(line, options))
    .join('\n');
}
