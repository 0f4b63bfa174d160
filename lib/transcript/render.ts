/**
 * Turns a {@link Transcript} into the C:/S: dialogue a student reads when a
 * test fails. Pure: a transcript in, a string (or structured lines) out; the
 * CLI adds colour.
 *
 * Stream chunks are merged per direction before decoding, so a line that
 * arrived in three reads shows once, and a message is shown where it started.
 * Datagrams are decoded one by one. The first place the test marked with
 * `expect()` gets its note; long dialogues keep the last lines (or the lines
 * around the mark) and say how many were left out.
 */
import { decodeTextLine, describeBytes, printableText } from './decode.ts';
import type { DecodedMessage, Direction, Transcript, TranscriptDecoder, TranscriptEntry } from './transcript.ts';

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

/** A decoded message before it is cut into display lines. */
interface Message {
  /** Index of the entry holding its first byte: messages are shown in that order. */
  firstEntry: number;
  direction: Direction;
  text: string;
  at: number;
  remark?: string;
  fault?: string;
  note?: string;
}

/** Calls the decoder defensively: a decoder bug must not hide the dialogue. */
function safeDecode(decoder: TranscriptDecoder, bytes: Buffer, direction: Direction, offset: number, datagram: boolean): DecodedMessage | null {
  let message: DecodedMessage | null;
  try {
    message = decoder(bytes, { direction, offset, datagram });
  } catch (error) {
    return { text: `${describeBytes(bytes)}  (decoder failed: ${(error as Error).message})`, length: bytes.length };
  }
  if (message === null) return null;
  if (!Number.isInteger(message.length) || message.length <= 0 || message.length > bytes.length) {
    return { text: describeBytes(bytes), length: bytes.length };
  }
  return message;
}


/** Decodes one direction's stream chunks (merged) into messages. */
function decodeStream(entries: readonly TranscriptEntry[], direction: Direction, decoder: TranscriptDecoder, out: Message[]): void {
  const indices: number[] = [];
  entries.forEach((e, i) => {
    if (e.direction === direction && !e.datagram) indices.push(i);
  });
  if (indices.length === 0) return;
  const ends: number[] = []; // stream offset just after each of those entries
  const runEnds: number[] = []; // for each entry: stream offset where its run (consecutive entries of this side) ends
  let total = 0;
  for (const i of indices) ends.push((total += entries[i]!.bytes.length));
  for (let k = indices.length - 1; k >= 0; k--) {
    const continues = k + 1 < indices.length && indices[k + 1] === indices[k]! + 1;
    runEnds[k] = continues ? runEnds[k + 1]! : ends[k]!;
  }
  const stream = Buffer.concat(indices.map((i) => entries[i]!.bytes));
  /** Entry (position in `indices`) holding the stream byte at `offset`. */
  let cursor = 0;
  const entryAt = (offset: number): number => {
    while (cursor < indices.length - 1 && ends[cursor]! <= offset) cursor++;
    return cursor;
  };
  const emit = (from: number, to: number, text: string, remark?: string): void => {
    const first = entryAt(from);
    const entry = entries[indices[first]!]!;
    const message: Message = { firstEntry: indices[first]!, direction, text, at: entry.at };
    if (entry.fault !== undefined) message.fault = entry.fault;
    if (remark !== undefined) message.remark = remark;
    // The note goes on the message holding the marked chunk's last byte.
    for (let k = first; k < indices.length && (k === 0 ? 0 : ends[k - 1]!) < to; k++) {
      const marked = entries[indices[k]!]!;
      if (marked.note !== undefined && ends[k]! - 1 >= from && ends[k]! - 1 < to) message.note = marked.note;
    }
    out.push(message);
  };
  /** Entry (position in `indices`) starting at stream offset `limit` (binary search: runs can be many). */
  const entryAfter = (limit: number): number => {
    let lo = 0, hi = indices.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > limit) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let offset = 0;
  while (offset < stream.length) {
    const k = entryAt(offset);
    let limit = runEnds[k]!;
    let message = safeDecode(decoder, stream.subarray(offset, limit), direction, offset, false);
    while (message === null && limit < stream.length) {
      // The message continues after the other side spoke: offer later runs too,
      // at least doubling what is offered so a long unfinished line stays linear.
      const want = offset + 2 * (limit - offset);
      while (limit < stream.length && limit < want) {
        limit = runEnds[entryAfter(limit)]!;
      }
      message = safeDecode(decoder, stream.subarray(offset, limit), direction, offset, false);
    }
    if (message === null) {
      // What is left never formed a whole message.
      const rest = stream.subarray(offset);
      emit(offset, stream.length, describeBytes(rest), printableText(rest) === null ? 'incomplete' : 'no line end');
      break;
    }
    emit(offset, offset + message.length, message.text);
    offset += message.length;
  }
}

/** Decodes each datagram on its own into messages. */
function decodeDatagrams(entries: readonly TranscriptEntry[], decoder: TranscriptDecoder, out: Message[]): void {
  const offsets = { client: 0, server: 0 };
  entries.forEach((entry, index) => {
    if (!entry.datagram) return;
    const bytes = Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
    const texts: string[] = [];
    let offset = 0;
    while (offset < bytes.length || (bytes.length === 0 && texts.length === 0)) {
      const rest = bytes.subarray(offset);
      const message = rest.length === 0 ? { text: '<empty datagram>', length: 0 } : safeDecode(decoder, rest, entry.direction, offsets[entry.direction] + offset, true);
      if (message === null) {
        texts.push(describeBytes(rest));
        break;
      }
      texts.push(message.text);
      if (message.length === 0) break;
      offset += message.length;
    }
    offsets[entry.direction] += bytes.length;
    const message: Message = { firstEntry: index, direction: entry.direction, text: texts.join('\n'), at: entry.at };
    if (entry.fault !== undefined) message.fault = entry.fault;
    if (entry.note !== undefined) message.note = entry.note;
    out.push(message);
  });
}

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
  const messages: Message[] = [];
  decodeStream(transcript.entries, 'client', decoder, messages);
  decodeStream(transcript.entries, 'server', decoder, messages);
  decodeDatagrams(transcript.entries, decoder, messages);
  messages.sort((a, b) => a.firstEntry - b.firstEntry); // stable: keeps stream order within one chunk

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
