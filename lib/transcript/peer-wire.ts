/**
 * A {@link TranscriptDecoder} for the BitTorrent peer wire protocol (BEP 3):
 * turns a recorded binary dialogue into one line per message,
 *
 *   C: handshake 5fb2a1c0… -WL0100-8kq2Ld0aZx1P
 *   S: bitfield 1011
 *   C: interested
 *   S: unchoke
 *   C: request 3 0 16384
 *   S: piece 3 0 <16384 bytes>
 *
 * Written from the spec, independent of any solution: it is how a student
 * sees what their peer said.
 */
import { describeBytes, hexPreview, printableText } from './decode.ts';
import type { TranscriptDecoder } from './transcript.ts';

/** 19, then `BitTorrent protocol`. */
const PROTOCOL_PREFIX = Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol', 'latin1')]);
/** 1 + 19 + 8 reserved + 20 info_hash + 20 peer_id. */
const HANDSHAKE_BYTES = 68;
/** A length prefix beyond this is not a message anyone sends: shown as an error, not waited for. */
const SANE_MESSAGE_BYTES = 1 << 20;
/** Bits of a bitfield shown before eliding. */
const MAX_BITS_SHOWN = 128;

/** `piece 3 0`, `request 3 0 16384`: the 4-byte numbers after the id, or undefined if the length is wrong. */
function numbers(payload: Buffer, count: number): number[] | undefined {
  if (payload.length !== count * 4) return undefined;
  return Array.from({ length: count }, (_, i) => payload.readUInt32BE(i * 4));
}

/** Bits of a bitfield as `1011…`. */
function bits(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(2).padStart(8, '0');
  return text.length > MAX_BITS_SHOWN ? `${text.slice(0, MAX_BITS_SHOWN)}… (${bytes.length} bytes)` : text;
}

const SIMPLE: Record<number, string> = { 0: 'choke', 1: 'unchoke', 2: 'interested', 3: 'not interested' };

/** One message's text from its id and payload. */
function describeMessage(id: number, payload: Buffer): string {
  const simple = SIMPLE[id];
  if (simple !== undefined) return payload.length === 0 ? simple : `${simple} (with ${payload.length} unexpected bytes)`;
  const bad = (name: string): string => `${name} of a wrong length (${payload.length + 1} bytes)`;
  switch (id) {
    case 4: {
      const n = numbers(payload, 1);
      return n ? `have ${n[0]}` : bad('have');
    }
    case 5:
      return `bitfield ${bits(payload)}`;
    case 6:
    case 8: {
      const n = numbers(payload, 3);
      const name = id === 6 ? 'request' : 'cancel';
      return n ? `${name} ${n.join(' ')}` : bad(name);
    }
    case 7:
      return payload.length < 8 ? bad('piece') : `piece ${payload.readUInt32BE(0)} ${payload.readUInt32BE(4)} <${payload.length - 8} bytes>`;
    case 9:
      return payload.length === 2 ? `port ${payload.readUInt16BE(0)}` : bad('port');
    default:
      return `unknown id ${id} (${payload.length} bytes)`;
  }
}

/** `handshake <info_hash hex…> <peer_id>`: the peer_id as text when printable, else hex. */
function describeHandshake(bytes: Buffer): string {
  const reserved = bytes.subarray(20, 28);
  const infoHash = bytes.subarray(28, 48).toString('hex');
  const peerId = bytes.subarray(48, 68);
  const text = printableText(peerId);
  const id = text !== null && !/[\r\n\t]/.test(text) ? text : peerId.toString('hex');
  const extensions = reserved.some((b) => b !== 0) ? `  (reserved ${reserved.toString('hex')})` : '';
  return `handshake ${infoHash.slice(0, 16)}… ${id}${extensions}`;
}

/**
 * Decodes one peer-wire message (the handshake at offset 0 of each
 * direction). Bytes that cannot be the protocol (garbage first bytes, an
 * impossible length) are shown as hex with what is wrong, taking the rest.
 */
export const peerWireDecoder: TranscriptDecoder = (bytes, { offset, datagram }) => {
  if (datagram) return { text: describeBytes(bytes), length: bytes.length };
  if (offset === 0) {
    const compared = Math.min(bytes.length, PROTOCOL_PREFIX.length);
    if (!bytes.subarray(0, compared).equals(PROTOCOL_PREFIX.subarray(0, compared))) {
      return { text: `not a handshake: ${hexPreview(bytes)}`, length: bytes.length };
    }
    return bytes.length < HANDSHAKE_BYTES ? null : { text: describeHandshake(bytes), length: HANDSHAKE_BYTES };
  }
  if (bytes.length < 4) return null;
  const length = bytes.readUInt32BE(0);
  if (length === 0) return { text: 'keep-alive', length: 4 };
  if (length > SANE_MESSAGE_BYTES) {
    const id = bytes.length > 4 ? ` id ${bytes[4]}` : '';
    return { text: `<len=${length}>${id}: longer than any message (the rest not decoded)`, length: bytes.length };
  }
  if (bytes.length < 4 + length) return null;
  return { text: describeMessage(bytes[4]!, bytes.subarray(5, 4 + length)), length: 4 + length };
};
