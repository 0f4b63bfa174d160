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
