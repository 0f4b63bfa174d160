/**
 * A deliberately plain HTTP/1.1 client on a raw TCP connection, for scripted
 * sessions against an edge: the test writes exactly the bytes it wants
 * (pipelined requests, malformed lines, half a request) and reads responses
 * as they come, status line and fields untouched, so it can assert on the
 * exact wire format. Written from RFC 9112, independent of the code under test.
 */
import { connectTcp, type Connection, type Transcript } from '../../lib/index.ts';

/** One response as it came off the wire. */
export interface RawResponse {
  /** `HTTP/1.1 200 OK`. */
  statusLine: string;
  status: number;
  /** Field lines as sent, in order. */
  fieldLines: string[];
  /** Fields by lower-cased name (repeated ones joined with ", "). */
  headers: Map<string, string>;
  body: Buffer;
}

/** How long a read may wait for the server before the test gives up. */
const READ_MS = 5000;

/** A raw connection to an HTTP server. */
export class RawHttpClient {
  private constructor(readonly conn: Connection) {}

  /** Connects to 127.0.0.1:`port`, recording the dialogue in `transcript`. */
  static async open(port: number, transcript?: Transcript): Promise<RawHttpClient> {
    const conn = await connectTcp({ host: '127.0.0.1', port, lineEnding: 'crlf', maxLineBytes: 64 * 1024, ...(transcript ? { transcript } : {}) });
    return new RawHttpClient(conn);
  }

  /** Writes bytes exactly as given. */
  send(data: string | Buffer): Promise<void> {
    return this.conn.write(data);
  }

  /** Reads one response; `bodyless` for the answer to HEAD (Content-Length then describes a body not sent). */
  async read(options: { bodyless?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
    const timeoutMs = options.timeoutMs ?? READ_MS;
    const statusLine = await this.conn.readLine({ timeoutMs });
    if (statusLine === null) throw new Error('the server closed the connection instead of answering');
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    if (match === null) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
    const fieldLines: string[] = [];
    const headers = new Map<string, string>();
    for (let line = await this.conn.readLine({ timeoutMs }); line !== ''; line = await this.conn.readLine({ timeoutMs })) {
      if (line === null) throw new Error('the server closed the connection in the middle of a response head');
      fieldLines.push(line);
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    const status = Number(match[1]);
    const length = Number(headers.get('content-length') ?? '0');
    const body = options.bodyless || status === 304 ? Buffer.alloc(0) : await this.conn.readExactly(length, { timeoutMs });
    return { statusLine, status, fieldLines, headers, body };
  }

  /**
   * Waits for the server to close the connection and returns whatever it
   * sent before that; throws if it stays open longer than `timeoutMs`.
   */
  async readToEnd(timeoutMs = READ_MS): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let part = await this.conn.readAvailable({ timeoutMs }); part !== null; part = await this.conn.readAvailable({ timeoutMs })) parts.push(part);
    return Buffer.concat(parts);
  }

  close(): void {
    this.conn.destroy();
  }
}

/** A GET (or another method) with Host and any extra field lines, as one string. */
export function request(target: string, extra: readonly string[] = [], method = 'GET'): string {
  return [`${method} ${target} HTTP/1.1`, 'Host: video.cdn.test', ...extra, '', ''].join('\r\n');
}
