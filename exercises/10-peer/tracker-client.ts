// PLACEHOLDER: replaced by the piece-store branch
/**
 * A minimal HTTP tracker client (compact peers only) so the peer can run
 * until the real one (HTTP and UDP) is merged.
 */
import type { AnnounceParams, AnnounceResponse, PeerAddress, TrackerClient, TrackerClientOptions } from './types.ts';

/** Percent-encodes every byte (binary ids must never go through UTF-8). */
function percent(bytes: Uint8Array): string {
  return [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

type Bvalue = number | Buffer | Bvalue[] | { [key: string]: Bvalue };

/** Just enough bencode to read an announce answer. */
function decode(bytes: Buffer): Bvalue {
  let at = 0;
  const value = (): Bvalue => {
    const c = bytes[at];
    if (c === 0x69) {
      const end = bytes.indexOf(0x65, at);
      const n = Number(bytes.toString('latin1', at + 1, end));
      at = end + 1;
      return n;
    }
    if (c === 0x6c || c === 0x64) {
      at++;
      const list: Bvalue[] = [];
      while (bytes[at] !== 0x65) {
        if (at >= bytes.length) throw new Error('truncated bencode');
        list.push(value());
      }
      at++;
      if (c === 0x6c) return list;
      const dict: { [key: string]: Bvalue } = {};
      for (let i = 0; i < list.length; i += 2) dict[(list[i] as Buffer).toString('latin1')] = list[i + 1]!;
      return dict;
    }
    const colon = bytes.indexOf(0x3a, at);
    if (colon < 0) throw new Error('bad bencode');
    const n = Number(bytes.toString('latin1', at, colon));
    at = colon + 1 + n;
    return bytes.subarray(colon + 1, at);
  };
  return value();
}

/** One HTTP announce (UDP is left to the real client). */
export async function announce(url: string, params: AnnounceParams, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<AnnounceResponse> {
  if (!url.startsWith('http')) throw new Error(`the placeholder tracker client speaks HTTP only, not ${url}`);
  const query = [
    `info_hash=${percent(params.infoHash)}`,
    `peer_id=${percent(params.peerId)}`,
    `port=${params.port}`,
    `uploaded=${params.uploaded}`,
    `downloaded=${params.downloaded}`,
    `left=${params.left}`,
    'compact=1',
    ...(params.event === 'none' ? [] : [`event=${params.event}`]),
    ...(params.numWant === undefined ? [] : [`numwant=${params.numWant}`]),
  ].join('&');
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 15_000), ...(options.signal ? [options.signal] : [])];
  const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}${query}`, { signal: AbortSignal.any(signals) });
  const body = decode(Buffer.from(await response.arrayBuffer())) as { [key: string]: Bvalue };
  if (body['failure reason'] instanceof Buffer) throw new Error(`tracker: ${body['failure reason'].toString()}`);
  const peers: PeerAddress[] = [];
  const raw = body.peers;
  if (raw instanceof Buffer) {
    for (let i = 0; i + 6 <= raw.length; i += 6) peers.push({ host: `${raw[i]}.${raw[i + 1]}.${raw[i + 2]}.${raw[i + 3]}`, port: raw.readUInt16BE(i + 4) });
  } else if (Array.isArray(raw)) {
    for (const p of raw as { [key: string]: Bvalue }[]) peers.push({ host: (p.ip as Buffer).toString(), port: p.port as number });
  }
  return { intervalSeconds: typeof body.interval === 'number' ? body.interval : 1800, peers };
}

/** Announces `started`, then again at the tracker's interval, until stopped. */
export function startTrackerClient(options: TrackerClientOptions): TrackerClient {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const abort = new AbortController();
  const once = async (event: AnnounceParams['event']): Promise<void> => {
    if (timer) clearTimeout(timer);
    let waitMs = options.retryAfterMs ?? 30_000;
    try {
      const answer = await announce(options.announceUrl, { infoHash: options.infoHash, peerId: options.peerId, port: options.port, ...options.stats(), event }, { timeoutMs: options.timeoutMs ?? 15_000, signal: abort.signal });
      waitMs = Math.max(answer.intervalSeconds * 1000, options.minIntervalMs ?? 0);
      if (!stopped) options.onPeers(answer.peers);
    } catch (error) {
      if (!stopped) options.onError?.(error as Error);
    }
    if (!stopped) timer = setTimeout(() => void once('none'), waitMs).unref();
  };
  void once('started');
  return {
    completed: () => void once('completed'),
    announceNow: () => once('none'),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      try {
        await announce(options.announceUrl, { infoHash: options.infoHash, peerId: options.peerId, port: options.port, ...options.stats(), event: 'stopped' }, { timeoutMs: Math.min(options.timeoutMs ?? 15_000, 3000) });
      } catch {
        // A tracker that is down costs only time.
      }
    },
  };
}
