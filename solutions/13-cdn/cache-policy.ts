/**
 * What a shared cache may keep and reuse (RFC 9111), pure: every function
 * takes the time as an argument, so the arithmetic is tested without waiting.
 *
 *   store?    only a 200 to a GET, not no-store, not private, not Vary, and
 *             useful (fresh for a while, or with a validator to check it by);
 *   fresh?    freshness_lifetime > current_age  (and not no-cache);
 *   stale?    ask the origin "still this one?" with If-None-Match: <ETag>;
 *             a 304 refreshes the entry, a 200 replaces it.
 *
 * Times are milliseconds on our clock; ages and lifetimes are seconds, as on
 * the wire.
 */
import { parseCacheControl, type CacheControl } from './cache-control.ts';
import { noneMatchHits } from './entity-tags.ts';
import { endToEnd, fieldValue, type Field } from './http-fields.ts';

/** A response as the cache keeps it. */
export interface StoredResponse {
  readonly status: number;
  /** End-to-end fields as the origin sent them (plus Date if it had none), without Age and Content-Length. */
  readonly fields: readonly Field[];
  readonly body: Buffer;
  /** The entity tag, to revalidate with (If-None-Match) and to answer clients' If-None-Match. */
  readonly etag?: string;
  /** The Last-Modified value, to revalidate with when there is no tag. */
  readonly lastModified?: string;
  readonly cacheControl: CacheControl;
  /** Seconds it may be used for, counted from when the origin generated it. */
  readonly freshnessLifetime: number;
  /** Seconds it was already old when it reached us (corrected_initial_age, RFC 9111 §4.2.3). */
  readonly initialAge: number;
  /** When it (or the 304 that last refreshed it) arrived, ms on our clock. */
  readonly responseTime: number;
}

/** A response just received from the origin. */
export interface FetchedResponse {
  readonly status: number;
  readonly fields: readonly Field[];
  readonly body: Buffer;
  /** When we sent the request, ms on our clock. */
  readonly requestTime: number;
  /** When the response head arrived, ms on our clock. */
  readonly responseTime: number;
}

/** What the cache does with a response: store it, or pass it on once, and why. */
export type Storability = { readonly store: true } | { readonly store: false; readonly why: string };

/** Fields the edge sets itself when it serves a stored response. */
const SET_WHEN_SERVED = new Set(['age', 'content-length', 'x-cache']);

/**
 * May a shared cache store this response to a GET (RFC 9111 §3)? Only 200s
 * here (RFC 9111 allows more statuses; one is enough to learn from).
 */
export function storability(status: number, fields: readonly Field[]): Storability {
  if (status !== 200) return { store: false, why: `status ${status} is not stored here` };
  const cc = parseCacheControl(fieldValue(fields, 'cache-control'));
  if (cc.noStore) return { store: false, why: 'no-store' };
  if (cc.private) return { store: false, why: 'private: meant for one user, not for a shared cache' };
  // The cache key is the URL alone: a response that varies with request fields cannot be told apart.
  if (fieldValue(fields, 'vary') !== undefined) return { store: false, why: 'Vary: this edge keys by URL only' };
  const hasValidator = fieldValue(fields, 'etag') !== undefined || fieldValue(fields, 'last-modified') !== undefined;
  if (freshnessLifetime(cc, fields) === 0 && !hasValidator) return { store: false, why: 'never fresh and nothing to revalidate with' };
  return { store: true };
}

/**
 * How long the response is fresh, in seconds (RFC 9111 §4.2.1): s-maxage,
 * else max-age, else Expires minus Date, else 0 (this edge uses no heuristic
 * freshness: without an explicit lifetime it revalidates every time).
 */
export function freshnessLifetime(cc: CacheControl, fields: readonly Field[]): number {
  if (cc.sMaxAge !== undefined) return cc.sMaxAge;
  if (cc.maxAge !== undefined) return cc.maxAge;
  const expires = fieldValue(fields, 'expires');
  if (expires === undefined) return 0;
  const date = Date.parse(fieldValue(fields, 'date') ?? '');
  const expiresAt = Date.parse(expires);
  if (Number.isNaN(expiresAt) || Number.isNaN(date)) return 0; // an invalid Expires means "already expired" (§5.3)
  return Math.max(0, Math.floor((expiresAt - date) / 1000));
}

/** The times and header values the age of a response is computed from. */
export interface AgeInputs {
  /** The `Age` field of the response, seconds (0 when absent). */
  readonly ageValue: number;
  /** The `Date` field, ms. */
  readonly dateValue: number;
  /** When the request was sent, ms. */
  readonly requestTime: number;
  /** When the response arrived, ms. */
  readonly responseTime: number;
}

/**
 * How old a response already is when it arrives, in seconds (RFC 9111 §4.2.3):
 *
 *   apparent_age          = max(0, response_time - date_value)
 *   response_delay        = response_time - request_time
 *   corrected_age_value   = age_value + response_delay
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 *
 * Both estimates err on the old side: the clocks may disagree (apparent age),
 * and the response may have aged on the way (the whole round trip is added).
 */
export function correctedInitialAge({ ageValue, dateValue, requestTime, responseTime }: AgeInputs): number {
  const apparentAge = Math.max(0, responseTime - dateValue) / 1000;
  const responseDelay = (responseTime - requestTime) / 1000;
  const correctedAgeValue = ageValue + responseDelay;
  return Math.max(apparentAge, correctedAgeValue);
}

/** current_age = corrected_initial_age + resident_time (RFC 9111 §4.2.3), in seconds. */
export function currentAge(entry: StoredResponse, now: number): number {
  return entry.initialAge + Math.max(0, now - entry.responseTime) / 1000;
}

/** The `Age` field to send: whole seconds, rounded down. */
export function ageFieldValue(entry: StoredResponse, now: number): string {
  return String(Math.floor(currentAge(entry, now)));
}

/** True while the entry may be served without asking the origin. */
export function isFresh(entry: StoredResponse, now: number): boolean {
  return !entry.cacheControl.noCache && entry.freshnessLifetime > currentAge(entry, now);
}

/**
 * May a stale entry be served when the origin cannot be reached (RFC 9111
 * §4.2.4)? Not if the origin said must-revalidate or no-cache.
 */
export function mayServeStale(entry: StoredResponse): boolean {
  return !entry.cacheControl.mustRevalidate && !entry.cacheControl.noCache;
}

/** Builds the stored form of a response from the origin (call only if {@link storability} said store). */
export function toStored(response: FetchedResponse): StoredResponse {
  const fields = endToEnd(response.fields).filter(([name]) => !SET_WHEN_SERVED.has(name.toLowerCase()));
  // A response without Date gets one: the time it arrived (RFC 9110 §6.6.1).
  if (fieldValue(fields, 'date') === undefined) fields.push(['Date', new Date(response.responseTime).toUTCString()]);
  return describe(fields, response.body, response.status, ageInputs(response));
}

/**
 * An entry refreshed by a `304 Not Modified` (RFC 9111 §4.3.4): the stored
 * body stays; every field the 304 carries replaces the stored one of that
 * name; freshness and age start again from the 304.
 */
export function refreshed(entry: StoredResponse, notModified: FetchedResponse): StoredResponse {
  const update = endToEnd(notModified.fields).filter(([name]) => !SET_WHEN_SERVED.has(name.toLowerCase()));
  const replaced = new Set(update.map(([name]) => name.toLowerCase()));
  const fields = [...entry.fields.filter(([name]) => !replaced.has(name.toLowerCase())), ...update];
  return describe(fields, entry.body, entry.status, ageInputs({ ...notModified, fields }));
}

/**
 * The fields that make a revalidation conditional (RFC 9111 §4.3.1):
 * If-None-Match with the entity tag, else If-Modified-Since with the
 * Last-Modified date, else none (the origin then sends the whole body).
 */
export function revalidationFields(entry: StoredResponse): Field[] {
  if (entry.etag !== undefined) return [['If-None-Match', entry.etag]];
  if (entry.lastModified !== undefined) return [['If-Modified-Since', entry.lastModified]];
  return [];
}

/**
 * Does a client's `If-None-Match` match the entry? `*` or any listed tag, by
 * the weak comparison (RFC 9110 §13.1.2). Then the client gets a 304.
 */
export function clientHasCurrent(ifNoneMatch: string | undefined, entry: StoredResponse): boolean {
  return ifNoneMatch !== undefined && entry.etag !== undefined && noneMatchHits(ifNoneMatch, entry.etag);
}

function ageInputs(response: FetchedResponse): AgeInputs {
  const age = fieldValue(response.fields, 'age');
  const date = Date.parse(fieldValue(response.fields, 'date') ?? '');
  return {
    ageValue: age !== undefined && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0,
    dateValue: Number.isNaN(date) ? response.responseTime : date,
    requestTime: response.requestTime,
    responseTime: response.responseTime,
  };
}

function describe(fields: Field[], body: Buffer, status: number, age: AgeInputs): StoredResponse {
  const cacheControl = parseCacheControl(fieldValue(fields, 'cache-control'));
  const etag = fieldValue(fields, 'etag');
  const lastModified = fieldValue(fields, 'last-modified');
  return {
    status,
    fields,
    body,
    ...(etag !== undefined ? { etag } : {}),
    ...(lastModified !== undefined ? { lastModified } : {}),
    cacheControl,
    freshnessLifetime: freshnessLifetime(cacheControl, fields),
    initialAge: correctedInitialAge(age),
    responseTime: age.responseTime,
  };
}
