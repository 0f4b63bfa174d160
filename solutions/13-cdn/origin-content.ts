/**
 * What the origin knows about the files it serves: where a URL path leads on
 * disk (never outside the folder), the media type, and the one byte range it
 * honours. Given complete: the same file
 * in exercises/ and solutions/ (the edge's own range code, byte-range.ts, is
 * yours to write; this one is deliberately minimal).
 */
import path from 'node:path';

/** Media types by file extension; anything else is `application/octet-stream`. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

/** The media type of a file, from its extension. */
export function mediaType(file: string): string {
  return MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names under `root`, or undefined when the path is not
 * one we serve: undecodable escapes, a NUL byte, or anything that resolves
 * outside `root` (`/../etc/passwd`, `/%2e%2e/secret`). Decoding happens
 * BEFORE the check, so an escaped `..` cannot slip through.
 */
export function fileForPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return undefined;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${decoded}`);
  return file.startsWith(base + path.sep) ? file : undefined;
}

/** The one range the origin honours, inclusive; `unsatisfiable` for 416; `whole` to ignore the header. */
export type OriginRange = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * `Range: bytes=A-B`, `bytes=A-` or `bytes=-N` against a body of `size`
 * bytes (RFC 9110 §14.1.2). Several ranges or anything malformed: the whole
 * body (a server may always ignore Range).
 */
export function originRange(header: string | undefined, size: number): OriginRange {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return { kind: 'whole' };
  return start >= size ? { kind: 'unsatisfiable' } : { kind: 'part', start, end };
}
