/**
 * Reading a request head (RFC 9112 §2–§6), pure: the socket layer reads
 * lines (with a length limit) and pushes them here one by one; the parser
 * says "more", hands back the whole request, or throws the status code the
 * client deserves.
 *
 *   request-line = method SP request-target SP HTTP-version     GET /v.mp4 HTTP/1.1
 *   field-line   = field-name ":" OWS field-value OWS           Host: video.cdn.test
 *   (empty line)                                                 end of the head
 *
 * Limits keep a client from making us hold unbounded memory: a request line
 * over `requestLineBytes` is 414 URI Too Long (the target is what grows), all
 * field lines together over `headerBytes` or more than `headerFields` of them
 * are 431 Request Header Fields Too Large.
 */
import { HttpRequestError } from './http-errors.ts';
import { isToken, listMembers, parseFieldLine, quote } from './http-fields.ts';

/** How much of a request head we accept. */
export interface RequestLimits {
  /** Longest request line, in characters, without its line end (then 414). @default 8192 */
  requestLineBytes: number;
  /** All field lines together, line ends included (then 431). @default 16384 */
  headerBytes: number;
  /** Most field lines (then 431). @default 100 */
  headerFields: number;
  /** Largest `Content-Length` of a request body we read and discard (then 413). @default 65536 */
  bodyBytes: number;
}

/** The limits nginx and Node use, roughly: room for any honest request. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = { requestLineBytes: 8192, headerBytes: 16 * 1024, headerFields: 100, bodyBytes: 64 * 1024 };

/** A request head, parsed and checked. */
export interface HttpRequest {
  /** Case-sensitive, as sent (`GET`; `get` is another, unknown method). */
  readonly method: string;
  /** The path and query, as sent (percent-escapes untouched): what the origin is asked for. */
  readonly target: string;
  /** The protocol version the client speaks. */
  readonly version: '1.0' | '1.1';
  /** The `Host` field (or the authority of an absolute-form target). */
  readonly host: string;
  /** Every field by lower-cased name; repeated fields joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  /** True when the connection stays open after the response (RFC 9112 §9.3). */
  readonly keepAlive: boolean;
  /** Bytes of body that follow the head (read them before the next request). */
  readonly contentLength: number;
}

/** The first line of a request. */
export interface RequestLine {
  readonly method: string;
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** The authority of an absolute-form target (`GET http://a.test/x HTTP/1.1`), which replaces Host. */
  readonly authority?: string;
}

/** Visible ASCII: what a request target is made of (no spaces, no controls, no UTF-8). */
const TARGET = /^[\x21-\x7e]+$/;
/** `http://authority/path?query`: the absolute form proxies receive, which servers must accept too. */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]+)([^#]*)$/i;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
/** What a Host value may hold: a reg-name or an IP literal, and a port. */
const HOST = /^[A-Za-z0-9.\-_~!$&'()*+,;=%:[\]]*$/;

/**
 * Parses a request line. Throws {@link HttpRequestError}: 400 unless it is
 * exactly three parts separated by single spaces with a token method, a
 * visible-ASCII target and `HTTP/d.d`; 505 for a major version other than 1.
 */
export function parseRequestLine(line: string): RequestLine {
  const parts = line.split(' ');
  if (parts.length !== 3) throw new HttpRequestError(400, `a request line is "METHOD target HTTP/1.1", got ${quote(line)}`);
  const [method, target, versionText] = parts as [string, string, string];
  if (!isToken(method)) throw new HttpRequestError(400, `${quote(method)} is not a method`);
  const version = VERSION.exec(versionText);
  if (version === null) throw new HttpRequestError(400, `${quote(versionText)} is not an HTTP version`);
  if (version[1] !== '1') throw new HttpRequestError(505, `this edge speaks HTTP/1.1, not ${versionText}`);
  if (!TARGET.test(target) || target.includes('#')) throw new HttpRequestError(400, `${quote(target)} is not a request target`);
  const v = version[2] === '0' ? '1.0' : '1.1'; // 1.2 and up are answered as 1.1 (RFC 9110 §2.5)
  if (target.startsWith('/') || target === '*' || method === 'CONNECT') return { method, target, version: v };
  const absolute = ABSOLUTE_FORM.exec(target);
  if (absolute === null || absolute[1]!.includes('@')) throw new HttpRequestError(400, `${quote(target)} is not a request target (it starts with /)`);
  return { method, target: absolute[2] === '' ? '/' : absolute[2]!, version: v, authority: absolute[1]! };
}

/**
 * Collects one request head line by line. `push` returns undefined until the
 * empty line that ends the head, then the request; it throws
 * {@link HttpRequestError} as soon as something is wrong. Empty lines before
 * the request line are skipped (RFC 9112 §2.2), within the header budget.
 */
export class RequestHeadParser {
  private requestLine: RequestLine | undefined;
  private readonly fields: [string, string][] = [];
  private headerBytes = 0;

  constructor(private readonly limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {}

  /** True once a request has begun (its request line arrived): a time-out then deserves 408. */
  get started(): boolean {
    return this.requestLine !== undefined;
  }

  /** Takes the next line (without its line end). */
  push(line: string): HttpRequest | undefined {
    if (this.requestLine === undefined) {
      if (line.length > this.limits.requestLineBytes) throw tooLongLine(this.limits);
      if (line === '') {
        this.count(line);
        return undefined;
      }
      this.requestLine = parseRequestLine(line);
      return undefined;
    }
    if (line === '') return finish(this.requestLine, this.fields, this.limits);
    this.count(line);
    if (this.fields.length >= this.limits.headerFields) throw new HttpRequestError(431, `more than ${this.limits.headerFields} header fields`);
    const [name, value] = parseFieldLine(line);
    this.fields.push([name.toLowerCase(), value]);
    return undefined;
  }

  private count(line: string): void {
    this.headerBytes += line.length + 2;
    if (this.headerBytes > this.limits.headerBytes) throw tooLongHeader(this.limits);
  }
}

/** The answer to a request line longer than the limit. */
export function tooLongLine(limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequestError {
  return new HttpRequestError(414, `the request line is longer than ${limits.requestLineBytes} bytes`);
}

/** The answer to header fields larger than the limit. */
export function tooLongHeader(limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequestError {
  return new HttpRequestError(431, `the header fields are larger than ${limits.headerBytes} bytes`);
}

/**
 * Parses a whole head from text (lines ending in CRLF or LF, up to and
 * including the empty line); undefined if the empty line has not come yet.
 * Throws like {@link RequestHeadParser.push}.
 */
export function parseRequestHead(text: string, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequest | undefined {
  const parser = new RequestHeadParser(limits);
  const lines = text.split('\n');
  lines.pop(); // what follows the last line end is not a line yet
  for (const raw of lines) {
    const request = parser.push(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (request !== undefined) return request;
  }
  return undefined;
}

/** The checks that need the whole head: Host, body framing, persistence. */
function finish(line: RequestLine, fields: readonly [string, string][], limits: RequestLimits): HttpRequest {
  const headers = new Map<string, string>();
  let hosts = 0;
  for (const [name, value] of fields) {
    if (name === 'host') hosts++;
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  // Host: exactly one in HTTP/1.1 (RFC 9112 §3.2); an absolute-form target's authority wins over it.
  if (hosts > 1) throw new HttpRequestError(400, 'more than one Host header');
  if (hosts === 0 && line.version === '1.1') throw new HttpRequestError(400, 'an HTTP/1.1 request needs a Host header');
  const host = line.authority ?? headers.get('host') ?? '';
  if (!HOST.test(host)) throw new HttpRequestError(400, `${quote(host)} is not a host`);

  // Body framing (RFC 9112 §6.3). Both fields at once is how requests are smuggled: refuse.
  const transferEncoding = headers.get('transfer-encoding');
  const lengthText = headers.get('content-length');
  if (transferEncoding !== undefined && lengthText !== undefined) throw new HttpRequestError(400, 'both Transfer-Encoding and Content-Length');
  if (transferEncoding !== undefined) throw new HttpRequestError(501, 'request bodies in a transfer coding are not accepted here');
  let contentLength = 0;
  if (lengthText !== undefined) {
    const values = new Set(listMembers(lengthText));
    const only = [...values][0];
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new HttpRequestError(400, `Content-Length ${quote(lengthText)} is not one number`);
    contentLength = Number(only);
    if (contentLength > limits.bodyBytes) throw new HttpRequestError(413, `a request body of ${contentLength} bytes is over the limit of ${limits.bodyBytes}`);
  }

  const connection = listMembers(headers.get('connection'));
  const keepAlive = line.version === '1.1' ? !connection.includes('close') : connection.includes('keep-alive') && !connection.includes('close');
  return { method: line.method, target: line.target, version: line.version, host, headers, keepAlive, contentLength };
}
