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
  let head = statusLine(status);
  for (const [name, value] of fields) head += `${name}: ${value}${CRLF}`;
  return head + CRLF;
}

/** `HTTP/1.1 404 Not Found` and its CRLF. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}${CRLF}`;
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
  const body = Buffer.from(`${status} ${STATUS_TEXT[status] ?? ''}: ${reason}\n`, 'utf8');
  const fields: Field[] = [
    ['Server', EDGE_NAME],
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ...(options.extra ?? []),
  ];
  if (options.close) fields.push(['Connection', 'close']);
  const head = encodeResponseHead(status, fields);
  return options.head ? { status, head, close: options.close } : { status, head, body, close: options.close };
}
