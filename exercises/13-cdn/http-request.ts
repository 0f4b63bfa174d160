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
  // TODO: exactly three parts split by single spaces; a token method; a version matching VERSION (major 1, else 505);
  // TODO: a visible-ASCII target without "#" (TARGET); origin-form (/…), "*" and CONNECT targets as they are;
  // TODO: an absolute-form target (ABSOLUTE_FORM) becomes its path ("/" if empty) plus its authority. Anything else: 400.
  throw new Error('TODO(13-cdn): parseRequestLine');
}

/**
 * Collects one request head line by line. `push` returns undefined until the
 * empty line that ends the head, then the request; it throws
 * {@link HttpRequestError} as soon as something is wrong. Empty lines before
 * the request line are skipped (RFC 9112 §2.2), within the header budget.
 */
export class RequestHeadParser {
  // TODO: what the parser remembers between lines: the request line, the fields so far, the header bytes counted.

  constructor(private readonly limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {}

  /** True once a request has begun (its request line arrived): a time-out then deserves 408. */
  get started(): boolean {
    // TODO: true once the request line has been parsed.
    throw new Error('TODO(13-cdn): RequestHeadParser.started');
  }

  /** Takes the next line (without its line end). */
  push(line: string): HttpRequest | undefined {
    // TODO: first line: over limits.requestLineBytes → tooLongLine; empty lines before it are skipped (but counted);
    // TODO: then parseRequestLine. Later lines: count their bytes (+2 for CRLF) against limits.headerBytes (431),
    // TODO: at most limits.headerFields fields (431), parseFieldLine each; the empty line finishes the head:
    // TODO: exactly one Host in HTTP/1.1 (the authority of an absolute-form target wins), a valid HOST value;
    // TODO: Content-Length: one number (413 over limits.bodyBytes), never with Transfer-Encoding (400), no
    // TODO: Transfer-Encoding alone (501); keepAlive from the version and the Connection tokens (RFC 9112 §9.3).
    throw new Error('TODO(13-cdn): RequestHeadParser.push');
  }
}

/** The answer to a request line longer than the limit. */
export function tooLongLine(limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequestError {
  // TODO: an HttpRequestError with status 414 saying the limit.
  throw new Error('TODO(13-cdn): tooLongLine');
}

/** The answer to header fields larger than the limit. */
export function tooLongHeader(limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequestError {
  // TODO: an HttpRequestError with status 431 saying the limit.
  throw new Error('TODO(13-cdn): tooLongHeader');
}

/**
 * Parses a whole head from text (lines ending in CRLF or LF, up to and
 * including the empty line); undefined if the empty line has not come yet.
 * Throws like {@link RequestHeadParser.push}.
 */
export function parseRequestHead(text: string, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): HttpRequest | undefined {
  // TODO: split the text into lines (CRLF or LF; what follows the last line end is not a line yet)
  // TODO: and push them into a RequestHeadParser until it returns the request.
  throw new Error('TODO(13-cdn): parseRequestHead');
}
