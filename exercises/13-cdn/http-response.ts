/**
 * Writing responses (RFC 9112 §4, §6), pure: text out, no socket.
 *
 *   status-line = HTTP-version SP status-code SP [ reason-phrase ]   HTTP/1.1 200 OK
 *   field-line  = field-name ":" SP field-value                       Age: 12
 *   (empty line), then exactly Content-Length bytes of body
 *
 * Every response here carries Content-Length (even a HEAD answer, with the
 * length a GET would have had): the client then knows where the next response
 * starts on a kept-alive connection.
 */
import type { Field } from './http-fields.ts';

/** Reason phrases of the statuses the edge sends (RFC 9110 §15). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  416: 'Range Not Satisfiable',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** The end of a line on the wire. */
const CRLF = '\r\n';

/** What the edge calls itself in `Server` and `Via`. */
export const EDGE_NAME = 'wirelab-edge';

/**
 * The status line and fields of a response, ending with the empty line, as
 * latin1 text (field values are bytes as received; one char per byte).
 * Statuses without a known phrase get an empty one, which is allowed.
 */
export function encodeResponseHead(status: number, fields: readonly Field[]): string {
  // TODO: the status line, then "Name: value" + CRLF per field, then an empty line (CRLF).
  throw new Error('TODO(13-cdn): encodeResponseHead');
}

/** `HTTP/1.1 404 Not Found` and its CRLF. */
export function statusLine(status: number): string {
  // TODO: "HTTP/1.1 " + status + " " + its reason phrase (STATUS_TEXT, or empty) + CRLF.
  throw new Error('TODO(13-cdn): statusLine');
}

/** A response ready for the wire: the head, and the body to send after it (none for HEAD and 304). */
export interface EncodedResponse {
  readonly status: number;
  readonly head: string;
  readonly body?: Uint8Array;
  /** True when the connection closes after this response. */
  readonly close: boolean;
}

/**
 * The edge's own answer to a request it cannot serve: a one-line text body
 * saying why, and `Connection: close` when the connection cannot go on
 * (after a malformed or unfinished request we no longer know where the next
 * one would start).
 */
export function errorResponse(status: number, reason: string, options: { close: boolean; head?: boolean; extra?: readonly Field[] }): EncodedResponse {
  // TODO: a text/plain body "<status> <phrase>: <reason>" + LF, with Server, Content-Type, Content-Length, the extra
  // TODO: fields, and Connection: close when options.close; no body for HEAD (the same Content-Length all the same).
  throw new Error('TODO(13-cdn): errorResponse');
}
