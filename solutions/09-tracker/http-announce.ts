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
  const infoHash = requireId(params, 'info_hash');
  const peerId = requireId(params, 'peer_id');
  const port = integerParam(params, 'port');
  if (port === undefined || port < 1 || port > 0xffff) throw new TrackerRequestError('port must be a number from 1 to 65535');
  const eventText = first(params, 'event')?.toString('latin1') ?? '';
  const event = EVENTS[eventText];
  if (event === undefined) throw new TrackerRequestError(`unknown event "${eventText.slice(0, 32)}"`);
  return {
    request: {
      infoHash,
      peerId,
      ip,
      port,
      uploaded: integerParam(params, 'uploaded') ?? 0,
      downloaded: integerParam(params, 'downloaded') ?? 0,
      // A client that does not say how much it misses is counted as a leecher.
      left: integerParam(params, 'left') ?? Number.MAX_SAFE_INTEGER,
      event,
      numWant: integerParam(params, 'numwant', true) ?? -1,
    },
    compact: first(params, 'compact')?.toString('latin1') !== '0',
    noPeerId: first(params, 'no_peer_id')?.toString('latin1') === '1',
  };
}

/** Reads the info_hashes a scrape asks about (none means "all swarms"). */
export function parseHttpScrape(params: Map<string, Buffer[]>): Buffer[] {
  const hashes = params.get('info_hash') ?? [];
  for (const h of hashes) {
    if (h.length !== ID_BYTES) throw new TrackerRequestError(`info_hash must be ${ID_BYTES} bytes, got ${h.length}`);
  }
  return hashes;
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
  const peers = options.compact
    ? compactPeers(result.peers)
    : result.peers.map((p) => ({ ip: p.ip, port: p.port, 'peer id': options.noPeerId ? undefined : p.peerId }));
  const peers6 = options.compact ? compactPeers6(result.peers) : undefined;
  return bencode({
    complete: result.complete,
    incomplete: result.incomplete,
    interval: intervalSeconds,
    'min interval': Math.max(1, Math.floor(intervalSeconds / 2)),
    peers,
    peers6: peers6 && peers6.length > 0 ? peers6 : undefined,
  });
}

/** Encodes `d14:failure reason<len>:<text>e`: the only key of a refused request. */
export function encodeHttpFailure(reason: string): Buffer {
  return bencode({ 'failure reason': reason });
}

/**
 * Encodes a scrape answer (BEP 48):
 * `d5:files d <20-byte info_hash> d8:completei…e10:downloadedi…e10:incompletei…e e … e e`.
 */
export function encodeHttpScrapeResponse(files: ReadonlyArray<{ infoHash: Buffer; counts: ScrapeCounts }>): Buffer {
  const dict: Record<string, { complete: number; downloaded: number; incomplete: number }> = {};
  for (const { infoHash, counts } of files) {
    dict[infoHash.toString('latin1')] = { complete: counts.complete, downloaded: counts.downloaded, incomplete: counts.incomplete };
  }
  return bencode({ files: dict });
}

function first(params: Map<string, Buffer[]>, name: string): Buffer | undefined {
  return params.get(name)?.[0];
}

function requireId(params: Map<string, Buffer[]>, name: string): Buffer {
  const value = first(params, name);
  if (value === undefined) throw new TrackerRequestError(`missing ${name}`);
  if (value.length !== ID_BYTES) throw new TrackerRequestError(`${name} must be ${ID_BYTES} bytes, got ${value.length}`);
  return value;
}

/** A decimal parameter, undefined when absent; throws when present but not a (non-negative) integer. */
function integerParam(params: Map<string, Buffer[]>, name: string, allowNegative = false): number | undefined {
  const raw = first(params, name)?.toString('latin1');
  if (raw === undefined) return undefined;
  if (!(allowNegative ? /^-?\d{1,16}$/ : /^\d{1,16}$/).test(raw)) throw new TrackerRequestError(`${name} must be a whole number, got "${raw.slice(0, 32)}"`);
  return Number(raw);
}
