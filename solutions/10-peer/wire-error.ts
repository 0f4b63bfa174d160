/**
 * The one error the wire throws. Given complete: the same file in exercises/
 * and solutions/.
 */
import { WirelabError } from 'wirelab';

/**
 * What was wrong with the bytes:
 * - `not-bittorrent`: the first bytes are not a BitTorrent handshake (an
 *   encrypted handshake, an HTTP request, noise);
 * - `too-long`: a length prefix beyond what that message can need (a 4 GiB
 *   length, a bitfield longer than the torrent's, a block over 16 KiB),
 *   refused before a byte of the body is kept;
 * - `bad-length`: a message whose length cannot be right for its id (a `have`
 *   of 9 bytes, a `piece` without its 8-byte header).
 */
export type WireErrorKind = 'not-bittorrent' | 'too-long' | 'bad-length';

/** Bytes from a peer that break the peer wire protocol: drop that connection (only that one). */
export class WireError extends WirelabError {
  override name = 'WireError';
  constructor(
    readonly kind: WireErrorKind,
    message: string,
    /** The message id, when the header got that far. */
    readonly messageId?: number,
    /** The length prefix as received, when there was one. */
    readonly length?: number,
  ) {
    super(message);
  }
}
