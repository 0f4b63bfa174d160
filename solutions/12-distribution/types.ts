/**
 * The quantities of the distribution-time formulas (Kurose & Ross §2.5),
 * each with its unit in its name. Given complete: the same file in
 * exercises/ and solutions/.
 *
 * The lecture gives rates in bits per second; the kit works in bytes, as
 * sockets do: 1 Mbps = 1,000,000 bit/s = 125,000 bytes/s.
 */

/** A number of bytes. */
export type Bytes = number;
/** A rate in bytes per second. 0: nothing passes; Infinity: no limit. */
export type BytesPerSecond = number;
/** A time in seconds. */
export type Seconds = number;

/** One server sends the file to N clients (the client-server approach). */
export interface ClientServerInput {
  /** F: the size of the file. */
  readonly fileBytes: Bytes;
  /** N: how many clients want the file. */
  readonly clients: number;
  /** u_s: the server's upload rate. */
  readonly serverUploadBytesPerSecond: BytesPerSecond;
  /** d_min: the download rate of the slowest client. */
  readonly minDownloadBytesPerSecond: BytesPerSecond;
}

/** What limits the client-server time. */
export type ClientServerBottleneck = 'server-upload' | 'slowest-download';

/** The least time in which every client can hold the whole file, and why. */
export interface ClientServerBound {
  /** D_cs = max{ N·F / u_s, F / d_min }. */
  readonly seconds: Seconds;
  /** The largest term (a tie goes to the one named first, `server-upload`). */
  readonly bottleneck: ClientServerBottleneck;
  readonly terms: {
    /** N·F / u_s: the server sends N copies, one after the other or side by side. */
    readonly serverUploadSeconds: Seconds;
    /** F / d_min: the slowest client receives one copy. */
    readonly slowestDownloadSeconds: Seconds;
  };
}

/** One server (the first seed) and N peers that upload to each other (the P2P approach). */
export interface P2pInput {
  /** F: the size of the file. */
  readonly fileBytes: Bytes;
  /** u_s: the server's upload rate. */
  readonly serverUploadBytesPerSecond: BytesPerSecond;
  /** u_1 … u_N: each peer's upload rate; N is the length of this list. */
  readonly peerUploadBytesPerSecond: readonly BytesPerSecond[];
  /** d_min: the download rate of the slowest peer. */
  readonly minDownloadBytesPerSecond: BytesPerSecond;
}

/** What limits the P2P time. */
export type P2pBottleneck = 'server-upload' | 'slowest-download' | 'total-upload';

/** The least time in which every peer can hold the whole file, and why. */
export interface P2pBound {
  /** D_p2p = max{ F / u_s, F / d_min, N·F / (u_s + Σ u_i) }. */
  readonly seconds: Seconds;
  /** The largest term (ties go to the one named first: server-upload, slowest-download, total-upload). */
  readonly bottleneck: P2pBottleneck;
  readonly terms: {
    /** F / u_s: every bit must leave the server at least once. */
    readonly serverUploadSeconds: Seconds;
    /** F / d_min: the slowest peer receives one copy. */
    readonly slowestDownloadSeconds: Seconds;
    /** N·F / (u_s + Σ u_i): N copies must be uploaded, by everyone together. */
    readonly totalUploadSeconds: Seconds;
  };
}

/** A swarm where every peer has the same upload rate: what a curve against N is drawn for. */
export interface SwarmSettings {
  readonly fileBytes: Bytes;
  readonly serverUploadBytesPerSecond: BytesPerSecond;
  /** u: the upload rate of every peer. */
  readonly peerUploadBytesPerSecond: BytesPerSecond;
  readonly minDownloadBytesPerSecond: BytesPerSecond;
}

/** Both bounds for one number of peers. */
export interface CurvePoint {
  /** N. */
  readonly peers: number;
  readonly clientServer: ClientServerBound;
  readonly p2p: P2pBound;
}
