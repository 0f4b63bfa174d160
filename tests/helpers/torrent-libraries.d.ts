/**
 * Just enough types for the independent BitTorrent libraries the tests use as
 * judges (they ship JavaScript only). Shared by every BitTorrent test.
 */
declare module 'bencode' {
  const bencode: {
    /** Encodes a value (strings as UTF-8, objects with sorted keys). */
    encode(value: unknown): Uint8Array;
    /** Decodes bytes; strings come back as Uint8Array unless an encoding is given. */
    decode(data: Uint8Array, encoding?: string): any;
    byteLength(value: unknown): number;
  };
  export default bencode;
}

declare module 'parse-torrent' {
  export interface ParsedTorrentFile {
    /** Joined with the OS separator, starting with the torrent's name. */
    path: string;
    name: string;
    length: number;
    offset: number;
  }
  export interface ParsedTorrent {
    infoHash: string;
    infoBuffer: Uint8Array;
    name: string;
    length: number;
    pieceLength: number;
    lastPieceLength: number;
    /** Hex SHA-1 of each piece. */
    pieces: string[];
    files: ParsedTorrentFile[];
    announce: string[];
    created?: Date;
    createdBy?: string;
    private?: boolean;
  }
  export default function parseTorrent(torrentId: Uint8Array | string): Promise<ParsedTorrent>;
}

declare module 'create-torrent' {
  export interface CreateTorrentOptions {
    name?: string;
    creationDate?: Date | number;
    comment?: string;
    createdBy?: string;
    private?: boolean;
    pieceLength?: number;
    announce?: string | string[];
    announceList?: string[][];
    urlList?: string[];
    info?: Record<string, unknown>;
    onProgress?: (hashedLength: number, estimatedTorrentLength: number) => void;
  }
  export default function createTorrent(
    input: string | string[] | Uint8Array,
    opts: CreateTorrentOptions,
    cb: (err: Error | null, torrent: Uint8Array) => void,
  ): void;
}

declare module 'bittorrent-protocol' {
  /** One peer-wire connection (a duplex stream: write what the socket read, send what it emits). */
  export default class Wire {
    constructor(type?: string);
    /** The other side's peer_id (hex), after its handshake. */
    peerId: string | null;
    peerChoking: boolean;
    amChoking: boolean;
    peerInterested: boolean;
    /** infoHash and peerId as bytes or hex strings. */
    handshake(infoHash: string | Uint8Array, peerId: string | Uint8Array, extensions?: { dht?: boolean; fast?: boolean }): void;
    bitfield(bits: Uint8Array): void;
    interested(): void;
    uninterested(): void;
    choke(): void;
    unchoke(): void;
    have(index: number): void;
    request(index: number, offset: number, length: number, cb: (err: Error | null, block?: Uint8Array) => void): void;
    cancel(index: number, offset: number, length: number): void;
    on(event: 'handshake', listener: (infoHash: string, peerId: string, extensions: Record<string, boolean>) => void): this;
    on(event: 'bitfield', listener: (bits: { get(index: number): boolean }) => void): this;
    on(event: 'request', listener: (index: number, offset: number, length: number, respond: (err: Error | null, block?: Uint8Array) => void) => void): this;
    on(event: 'data', listener: (chunk: Uint8Array) => void): this;
    on(event: 'have', listener: (index: number) => void): this;
    on(event: 'unchoke' | 'choke' | 'interested' | 'uninterested' | 'close' | 'end' | 'finish', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    write(chunk: Uint8Array): boolean;
    destroy(): void;
  }
}
