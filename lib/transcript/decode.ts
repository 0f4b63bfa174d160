/**
 * The default way bytes become display lines: printable lines as text,
 * anything else as a short hex dump. Custom decoders (peer wire, UDP tracker)
 * can fall back to {@link decodeTextLine} for what they do not recognise.
 */
import type { DecodeContext, DecodedMessage } from './transcript.ts';

/** How many bytes a hex dump shows before eliding the rest. */
export const HEX_PREVIEW_BYTES = 24;

const LF = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Returns the bytes as text if they are valid UTF-8 without control characters (tab, CR and LF allowed), else null. */
export function printableText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text) ? null : text;
}

/** Shows bytes as `<N bytes> 13 42 69 …` (the first {@link HEX_PREVIEW_BYTES} of them). */
export function hexPreview(bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.subarray(0, HEX_PREVIEW_BYTES)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  const unit = bytes.length === 1 ? 'byte' : 'bytes';
  return `<${bytes.length} ${unit}> ${shown}${bytes.length > HEX_PREVIEW_BYTES ? ' …' : ''}`;
}

/** Makes line ends and other invisible characters inside a line visible (`\r`, `\n`). */
function showInvisible(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/**
 * Shows a whole blob as one line: text (one trailing line end dropped, inner
 * ones shown as `\n`) or a hex preview. Used for datagrams and for what is
 * left at the end of a stream.
 */
export function describeBytes(bytes: Uint8Array): string {
  const text = printableText(bytes);
  if (text === null) return hexPreview(bytes);
  return showInvisible(text.replace(/\r?\n$/, ''));
}

/**
 * The default {@link TranscriptDecoder}: one text line per message (the line
 * end removed, a CR before LF dropped), `null` while a line has not ended yet;
 * bytes that are not text are shown as one hex preview; a datagram is always
 * one message.
 */
export function decodeTextLine(bytes: Buffer, context: DecodeContext): DecodedMessage | null {
  if (context.datagram) return { text: describeBytes(bytes), length: bytes.length };
  const lf = bytes.indexOf(LF);
  const line = lf === -1 ? bytes : bytes.subarray(0, lf + 1);
  const text = printableText(line);
  if (text === null) return { text: hexPreview(bytes), length: bytes.length };
  if (lf === -1) return null;
  return { text: showInvisible(text.replace(/\r?\n$/, '')), length: lf + 1 };
}
