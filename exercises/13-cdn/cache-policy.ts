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

/**
 * May a shared cache store this response to a GET (RFC 9111 §3)? Only 200s
 * here (RFC 9111 allows more statuses; one is enough to learn from).
 */
export function storability(status: number, fields: readonly Field[]): Storability {
  // TODO: store only a 200 that is not no-store, not private and has no Vary (this edge keys by URL only), and that is
  // TODO: worth keeping: fresh for a while (freshnessLifetime > 0) or with a validator (ETag or Last-Modified).
  throw new Error('TODO(13-cdn): storability');
}

/**
 * How long the response is fresh, in seconds (RFC 9111 §4.2.1): s-maxage,
 * else max-age, else Expires minus Date, else 0 (this edge uses no heuristic
 * freshness: without an explicit lifetime it revalidates every time).
 */
export function freshnessLifetime(cc: CacheControl, fields: readonly Field[]): number {
  // TODO: s-maxage, else max-age, else Expires minus Date (an invalid date: 0), else 0.
  throw new Error('TODO(13-cdn): freshnessLifetime');
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
  // TODO: the four lines of RFC 9111 §4.2.3 quoted above, in seconds.
  throw new Error('TODO(13-cdn): correctedInitialAge');
}

/** current_age = corrected_initial_age + resident_time (RFC 9111 §4.2.3), in seconds. */
export function currentAge(entry: StoredResponse, now: number): number {
  // TODO: the initial age plus the time the entry has been held since it arrived (resident time).
  throw new Error('TODO(13-cdn): currentAge');
}

/** The `Age` field to send: whole seconds, rounded down. */
export function ageFieldValue(entry: StoredResponse, now: number): string {
  // TODO: the current age in whole seconds, rounded down, as text.
  throw new Error('TODO(13-cdn): ageFieldValue');
}

/** True while the entry may be served without asking the origin. */
export function isFresh(entry: StoredResponse, now: number): boolean {
  // TODO: fresh while the lifetime exceeds the current age, and never for a no-cache response.
  throw new Error('TODO(13-cdn): isFresh');
}

/**
 * May a stale entry be served when the origin cannot be reached (RFC 9111
 * §4.2.4)? Not if the origin said must-revalidate or no-cache.
 */
export function mayServeStale(entry: StoredResponse): boolean {
  // TODO: not when the origin said must-revalidate (or proxy-revalidate) or no-cache.
  throw new Error('TODO(13-cdn): mayServeStale');
}

/** Builds the stored form of a response from the origin (call only if {@link storability} said store). */
export function toStored(response: FetchedResponse): StoredResponse {
  // TODO: keep the end-to-end fields minus the ones set when serving (Age, Content-Length, X-Cache); add a Date
  // TODO: if there is none (the arrival time); read ETag, Last-Modified and Cache-Control; compute the freshness
  // TODO: lifetime and the corrected initial age from the Age and Date fields and the request/response times.
  throw new Error('TODO(13-cdn): toStored');
}

/**
 * An entry refreshed by a `304 Not Modified` (RFC 9111 §4.3.4): the stored
 * body stays; every field the 304 carries replaces the stored one of that
 * name; freshness and age start again from the 304.
 */
export function refreshed(entry: StoredResponse, notModified: FetchedResponse): StoredResponse {
  // TODO: keep the stored body; the 304's end-to-end fields replace stored fields of the same name (RFC 9111 §4.3.4);
  // TODO: then freshness and age are computed again, from the 304's times.
  throw new Error('TODO(13-cdn): refreshed');
}

/**
 * The fields that make a revalidation conditional (RFC 9111 §4.3.1):
 * If-None-Match with the entity tag, else If-Modified-Since with the
 * Last-Modified date, else none (the origin then sends the whole body).
 */
export function revalidationFields(entry: StoredResponse): Field[] {
  // TODO: If-None-Match with the ETag; without one, If-Modified-Since with Last-Modified; else nothing.
  throw new Error('TODO(13-cdn): revalidationFields');
}

/**
 * Does a client's `If-None-Match` match the entry? `*` or any listed tag, by
 * the weak comparison (RFC 9110 §13.1.2). Then the client gets a 304.
 */
export function clientHasCurrent(ifNoneMatch: string | undefined, entry: StoredResponse): boolean {
  // TODO: true when the client sent If-None-Match and it matches the stored ETag (noneMatchHits).
  throw new Error('TODO(13-cdn): clientHasCurrent');
}
