/**
 * The HTTP tracker's messages (BEP 3, compact peers BEP 23, scrape BEP 48):
 * pure functions from query parameters to an {@link AnnounceRequest}, and from
 * results to bencoded answers. The socket layer is in http-server.ts.
 */
import { bencode } from './bencode.ts';
import { compactPeers } from './compact-peers.ts';
import { compactPeers6 } from './compact-peers6.ts';
import { ID_BYTES } from './constants.ts';
import { TrackerRequestError } from './request-error.ts';
import type { AnnounceEvent, AnnounceRequest, AnnounceResult, ScrapeCounts } from './types.ts';

/** An HTTP announce: the request plus how the client wants its peer list. */
export interface HttpAnnounce {
  request: AnnounceRequest;
  /** `compact=1` (or absent): 6 bytes a peer. `compact=0`: a list of dictionaries. */
  compact: boolean;
  /** `no_peer_id=1`: leave `peer id` out of the dictionaries. */
  noPeerId: boolean;
}

const EVENTS: Record<string, AnnounceEvent> = {
  '': 'none',
  empty: 'none', // some clients spell "no event" this way
  paused: 'none', // BEP 21: still in the swarm, just not downloading
  started: 'started',
  completed: 'completed',
  stopped: 'stopped',
};

/**
 * Reads an announce from its decoded query parameters. `ip` is the address
 * the request came from (the `ip` parameter is not trusted: anyone could send
 * peers to a victim). Unknown parameters (`key`, `supportcrypto`, …) are ignored.
 * Throws {@link TrackerRequestError} when a required one is missing or wrong.
 */
export function parseHttpAnnounce(params: Map<string, Buffer[]>, ip: string): HttpAnnounce {
  // TODO: info_hash and peer_id: exactly 20 bytes each; port 1…65535; uploaded/downloaded/left/numwant decimal;
  // TODO: event from the EVENTS table; compact unless compact=0; no_peer_id=1. Problems → TrackerRequestError.
  throw new Error('TODO(09-tracker): parseHttpAnnounce');
}

/** Reads the info_hashes a scrape asks about (none means "all swarms"). */
export function parseHttpScrape(params: Map<string, Buffer[]>): Buffer[] {
  // TODO: every info_hash value, each exactly 20 bytes.
  throw new Error('TODO(09-tracker): parseHttpScrape');
}

/**
 * Encodes the answer to an announce:
 *
 *   d 8:complete i<seeders>e  10:incomplete i<leechers>e  8:interval i<seconds>e
 *     5:peers <6 bytes a peer: IPv4 a.b.c.d then port, big-endian>        (compact)
 *     5:peers l d 2:ip <text> 7:peer id <20 bytes> 4:port i<port>e e … e   (compact=0)
 *   e
 *
 * A compact `peers` can only carry IPv4 peers; IPv6 peers go in `peers6`
 * (BEP 7, 18 bytes each, with compactPeers6 from the given compact-peers6.ts),
 * which is left out when there are none.
 */
export function encodeHttpAnnounceResponse(
  result: AnnounceResult,
  intervalSeconds: number,
  options: { compact: boolean; noPeerId: boolean },
): Buffer {
  // TODO: bencode({ complete, incomplete, interval, peers }) with peers compact or a list of dicts.
  throw new Error('TODO(09-tracker): encodeHttpAnnounceResponse');
}

/** Encodes `d14:failure reason<len>:<text>e`: the only key of a refused request. */
export function encodeHttpFailure(reason: string): Buffer {
  // TODO: a dictionary with the single key `failure reason`.
  throw new Error('TODO(09-tracker): encodeHttpFailure');
}

/**
 * Encodes a scrape answer (BEP 48):
 * `d5:files d <20-byte info_hash> d8:completei…e10:downloadedi…e10:incompletei…e e … e e`.
 */
export function encodeHttpScrapeResponse(files: ReadonlyArray<{ infoHash: Buffer; counts: ScrapeCounts }>): Buffer {
  // TODO: `files` maps each raw info_hash (as a latin1 key) to its counts.
  throw new Error('TODO(09-tracker): encodeHttpScrapeResponse');
}
