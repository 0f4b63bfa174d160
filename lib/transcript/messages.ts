/**
 * From recorded entries to decoded messages, the step before display lines.
 * Stream chunks are merged per direction before decoding, so a line that
 * arrived in three reads is one message, placed where it started; datagrams
 * are decoded one by one.
 */
import { describeBytes, printableText } from './decode.ts';
import type { DecodedMessage, Direction, TranscriptDecoder, TranscriptEntry } from './transcript.ts';

/** A decoded message before it is cut into display lines. */
export interface Message {
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

/** One stream chunk of a direction, placed in that direction's merged stream. */
interface Chunk {
  entry: TranscriptEntry;
  /** Where its entry stands in the transcript. */
  entryIndex: number;
  /** Stream offsets where it starts and where it ends. */
  start: number;
  end: number;
  /** Stream offset where its run (the chunks this side sent before the other side spoke) ends. */
  runEnd: number;
}

/** One direction's stream chunks merged into one byte stream, knowing which chunk holds which bytes. */
class MergedStream {
  /** The chunk the last lookup found: offsets only move forward, so lookups start there. */
  private cursor = 0;

  private constructor(
    readonly bytes: Buffer,
    private readonly chunks: readonly Chunk[],
  ) {}

  /** The stream chunks of `direction`, merged; undefined when that side sent none. */
  static of(entries: readonly TranscriptEntry[], direction: Direction): MergedStream | undefined {
    const chunks: Chunk[] = [];
    let offset = 0;
    entries.forEach((entry, entryIndex) => {
      if (entry.direction !== direction || entry.datagram) return;
      const start = offset;
      offset += entry.bytes.length;
      chunks.push({ entry, entryIndex, start, end: offset, runEnd: offset });
    });
    if (chunks.length === 0) return undefined;
    // From the last chunk back: a chunk whose entry is followed by the next chunk's continues that run.
    for (let k = chunks.length - 2; k >= 0; k--) {
      if (chunks[k + 1]!.entryIndex === chunks[k]!.entryIndex + 1) chunks[k]!.runEnd = chunks[k + 1]!.runEnd;
    }
    return new MergedStream(Buffer.concat(chunks.map((c) => c.entry.bytes)), chunks);
  }

  /** The end of the run holding the byte at `offset`. */
  runEndAt(offset: number): number {
    return this.chunks[this.chunkAt(offset)]!.runEnd;
  }

  /** The end of the run after the one ending at `limit` (binary search: runs can be many). */
  nextRunEnd(limit: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid]!.end > limit) hi = mid;
      else lo = mid + 1;
    }
    return this.chunks[lo]!.runEnd;
  }

  /**
   * The message made of the bytes `from` to `to`: shown where its first byte
   * arrived, with that chunk's fault, and with the note of a chunk whose last
   * byte it holds (the byte a test's `expect()` marked).
   */
  message(from: number, to: number, text: string, remark?: string): Message {
    const first = this.chunkAt(from);
    const { entry, entryIndex } = this.chunks[first]!;
    const message: Message = { firstEntry: entryIndex, direction: entry.direction, text, at: entry.at };
    if (entry.fault !== undefined) message.fault = entry.fault;
    if (remark !== undefined) message.remark = remark;
    for (let k = first; k < this.chunks.length && this.chunks[k]!.start < to; k++) {
      const { entry: marked, end } = this.chunks[k]!;
      if (marked.note !== undefined && end - 1 >= from && end - 1 < to) message.note = marked.note;
    }
    return message;
  }

  /** The chunk holding the byte at `offset`; offsets asked for must not go backwards. */
  private chunkAt(offset: number): number {
    while (this.cursor < this.chunks.length - 1 && this.chunks[this.cursor]!.end <= offset) this.cursor++;
    return this.cursor;
  }
}

/**
 * Decodes the message at `offset`. The decoder is offered this side's bytes
 * up to the end of their run; while it wants more, later runs too (the
 * message continued after the other side spoke), at least doubling what is
 * offered so a long unfinished line stays linear. Null: the rest never formed
 * a whole message.
 */
function decodeAt(stream: MergedStream, offset: number, decoder: TranscriptDecoder, direction: Direction): DecodedMessage | null {
  const { bytes } = stream;
  let limit = stream.runEndAt(offset);
  let message = safeDecode(decoder, bytes.subarray(offset, limit), direction, offset, false);
  while (message === null && limit < bytes.length) {
    const want = offset + 2 * (limit - offset);
    while (limit < bytes.length && limit < want) limit = stream.nextRunEnd(limit);
    message = safeDecode(decoder, bytes.subarray(offset, limit), direction, offset, false);
  }
  return message;
}

/** Decodes one direction's stream chunks (merged) into messages. */
function decodeStream(entries: readonly TranscriptEntry[], direction: Direction, decoder: TranscriptDecoder, out: Message[]): void {
  const stream = MergedStream.of(entries, direction);
  if (!stream) return;
  const { bytes } = stream;
  for (let offset = 0; offset < bytes.length; ) {
    const decoded = decodeAt(stream, offset, decoder, direction);
    if (decoded === null) {
      const rest = bytes.subarray(offset);
      out.push(stream.message(offset, bytes.length, describeBytes(rest), printableText(rest) === null ? 'incomplete' : 'no line end'));
      return;
    }
    out.push(stream.message(offset, offset + decoded.length, decoded.text));
    offset += decoded.length;
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

/** Every message of the transcript, in the order its first byte was recorded. */
export function decodeMessages(entries: readonly TranscriptEntry[], decoder: TranscriptDecoder): Message[] {
  const messages: Message[] = [];
  decodeStream(entries, 'client', decoder, messages);
  decodeStream(entries, 'server', decoder, messages);
  decodeDatagrams(entries, decoder, messages);
  return messages.sort((a, b) => a.firstEntry - b.firstEntry); // stable: keeps stream order within one chunk
}
