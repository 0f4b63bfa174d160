/**
 * A TCP proxy that re-chunks the byte stream: it splits writes at seeded
 * offsets (down to one byte per write) and coalesces writes that arrive close
 * together, so a server that assumes "one read = one line" or "one read = one
 * message" fails in the test, not in production.
 *
 *   client ──▶ proxy.port ──(toServer: split / coalesce)──▶ target
 *   client ◀── proxy.port ◀──(toClient: split / coalesce)── target
 *
 * The bytes themselves are never changed, and a half-close (`end()`) on one
 * side is passed on once everything before it has been delivered.
 *
 * @example
 * const proxy = await startTcpChunkProxy({ target: { host: '127.0.0.1', port: server.port },
 *   seed: 7, maxChunk: 3, transcript });
 * const conn = await connectTcp({ host: proxy.host, port: proxy.port });
 * await proxy.close();
 */
import net from 'node:net';
import type { Direction, Transcript } from '../transcript/transcript.ts';
import { ChunkPump, Sleeper, type PumpStats } from './chunk-pump.ts';
import { settingsPerDirection } from './per-direction.ts';
import type { Seed } from './random.ts';
import { Rechunker, type ChunkFaults } from './rechunk.ts';

/** Options of {@link startTcpChunkProxy}. Settings at the top level apply to both directions. */
export interface TcpChunkProxyOptions extends ChunkFaults {
  /** The real server. */
  target: { host: string; port: number };
  /** Same seed, same split points. @default 0 */
  seed?: Seed;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. @default 0 (the OS picks one) */
  port?: number;
  /** Client → server only (each field overrides the top level). */
  toServer?: ChunkFaults;
  /** Server → client only (each field overrides the top level). */
  toClient?: ChunkFaults;
  /** Records what each side said, as it reached the proxy: client → target as `client`, target → client as `server`. */
  transcript?: Transcript;
}

/** Counts of what the proxy did. */
export interface TcpChunkStats {
  /** Clients accepted so far. */
  connections: number;
  /** Client/target pairs still open. */
  open: number;
  toServer: PumpStats;
  toClient: PumpStats;
}

/** A running TCP chunk proxy. */
export interface TcpChunkProxy {
  /** Where clients connect instead of the target. */
  readonly host: string;
  readonly port: number;
  readonly target: { host: string; port: number };
  readonly stats: Readonly<TcpChunkStats>;
  /** Stops accepting, destroys every open pair and resolves once all sockets are closed. */
  close(): Promise<void>;
}

/** Resolves when a socket has emitted `close` (at once if it already has). */
function whenClosed(socket: net.Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Starts a re-chunking TCP proxy in front of `target`; resolves once it listens. */
export async function startTcpChunkProxy(options: TcpChunkProxyOptions): Promise<TcpChunkProxy> {
  const { target, seed = 0, transcript } = options;
  const faults = settingsPerDirection<ChunkFaults>(options, ['maxChunk', 'minChunk', 'coalesceMs', 'gapMs']);
  // Fail on bad sizes now, not on the first connection.
  new Rechunker(seed, 'check', faults.toServer);
  new Rechunker(seed, 'check', faults.toClient);

  const stats: TcpChunkStats = { connections: 0, open: 0, toServer: { bytes: 0, writes: 0 }, toClient: { bytes: 0, writes: 0 } };
  const sleeper = new Sleeper();
  const sockets = new Set<net.Socket>();
  const pairsClosed = new Set<Promise<void>>();
  let closing = false;

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (closing) {
      client.destroy();
      return;
    }
    // Split points are seeded per connection (in accept order) and per direction.
    const index = stats.connections++;
    stats.open++;
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    const ready = new Promise<void>((resolve, reject) => {
      upstream.once('connect', resolve);
      upstream.once('error', reject);
    });
    ready.catch(() => {}); // handled by the pumps and the teardown below
    const pumps: ChunkPump[] = [];
    const teardown = () => {
      for (const pump of pumps) pump.stop();
      client.destroy();
      upstream.destroy();
    };
    const pump = (dir: 'toServer' | 'toClient', from: net.Socket, to: net.Socket, toReady: Promise<void>, side: Direction): ChunkPump =>
      new ChunkPump({
        from,
        to,
        ready: toReady,
        faults: faults[dir],
        rechunker: new Rechunker(seed, `${index}/${dir}`, faults[dir]),
        sleeper,
        stats: stats[dir],
        onError: teardown,
        record: transcript && { transcript, direction: side },
      });
    pumps.push(pump('toServer', client, upstream, ready, 'client'), pump('toClient', upstream, client, Promise.resolve(), 'server'));
    for (const socket of [client, upstream]) {
      socket.on('error', teardown); // a reset on one side resets the other
      // An abrupt close resets the other side too; a clean one already sent its end through the pump.
      socket.on('close', (hadError) => {
        if (hadError) teardown();
      });
    }
    const closed = Promise.all([whenClosed(client), whenClosed(upstream)]).then(() => {
      stats.open--;
      sockets.delete(client);
      sockets.delete(upstream);
      pairsClosed.delete(closed);
    });
    pairsClosed.add(closed);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    host: address.address,
    port: address.port,
    target,
    stats,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      sleeper.cancelAll();
      for (const socket of sockets) socket.destroy();
      await Promise.all([stopped, ...pairsClosed]);
      sleeper.cancelAll(); // a pump may have started a wait while sockets were closing
    },
  };
}
