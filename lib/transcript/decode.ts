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
  // Fast refusal of binary data before paying for a UTF-8 decode.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) return null;
    if (byte >= 0x80) ascii = false;
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  // C1 control characters (U+0080–U+009F) are not text either.
  return /[\u0080-\u009f]/.test(text) ? null : text;
}

/** Shows bytes as `<N bytes> 13 42 69 …` (the first {@link HEX_PREVIEW_BYTES} of them). */
export function hexPreview(bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.subarray(0, HEX_PREVIEW_BYTES)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  const unit = bytes.length === 1 ? 'byte' : 'bytes';
  return `<${bytes.length} ${unit}> ${shown}${bytes.length > HEX_PREVIEW_BYTES ? ' …' : ''}`;
}

/** Makes line ends and other invisible characters inside a line visible (`\r`, `\n`). */
function showInvisible(text: string): string {
  return text.includes('\r') || text.includes('\n') ? text.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : text;
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
  const end = text.length - (text.endsWith('\r\n') ? 2 : 1);
  return { text: showInvisible(text.slice(0, end)), length: lf + 1 };
}
