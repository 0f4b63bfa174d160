/**
 * The zone the server answers for, built once from the options and checked,
 * so that a typo in the configuration is one clear sentence at start-up, not
 * a wrong answer later. Given complete: the same file in exercises/ and
 * solutions/.
 */
import { DEFAULT_EDGE_COUNT, DEFAULT_NAMES, DEFAULT_TTL_SECONDS, DEFAULT_ZONE, MAX_LABEL_BYTES, RecordType, SOA_TIMERS } from './dns-constants.ts';
import type { DnsZone, DnsZoneOptions } from './dns-types.ts';
import { compileRegionMap, defaultRegions, parseIp } from './regions.ts';

/** Longest name in text form: 255 bytes on the wire, less the first length byte and the final zero. */
const MAX_NAME_TEXT = 253;
/** The labels hostnames use (RFC 1123 §2.1), plus `_`: enough for a CDN's names, and nothing that needs escaping. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/i;

/** Edge K at 127.0.1.K, for `count` edges (the addresses `serve cdn` gives its edges). */
export function defaultEdgeAddresses(count: number = DEFAULT_EDGE_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.1.${i + 1}`);
}

/**
 * Checks the options and fills in the defaults (zone `cdn.test`, names
 * `['video']`, three edges at 127.0.1.K, 10.K.0.0/16 → edge K, everyone else
 * edge 1, TTL 20 s). Throws RangeError saying what is wrong.
 */
export function buildZone(options: DnsZoneOptions = {}): DnsZone {
  const apex = checkName((options.zone ?? DEFAULT_ZONE).replace(/\.$/, '').toLowerCase(), 'zone');
  const names = new Set((options.names ?? DEFAULT_NAMES).map((n) => checkName(`${n.replace(/\.$/, '')}.${apex}`.toLowerCase(), 'name')));
  const edges = [...(options.edges ?? defaultEdgeAddresses())];
  if (edges.length === 0) throw new RangeError('at least one edge address is needed');
  for (const edge of edges) if (parseIp(edge) === undefined) throw new RangeError(`edge address "${edge}" is not an IP address`);
  const regions = compileRegionMap(options.regions ?? defaultRegions(edges.length), edges.length);
  const defaultEdge = options.defaultEdge ?? 1;
  if (!Number.isInteger(defaultEdge) || defaultEdge < 1 || defaultEdge > edges.length) {
    throw new RangeError(`default edge ${defaultEdge} does not exist (edges are 1 to ${edges.length})`);
  }
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > 0x7fffffff) throw new RangeError(`TTL ${ttlSeconds} must be a whole number of seconds from 0 to 2^31 - 1`);
  return {
    apex,
    names,
    edges,
    regions,
    defaultEdge,
    ttlSeconds,
    // RFC 2308 §5: a negative answer is cached for the smaller of the SOA's TTL and its MINIMUM.
    soa: { name: apex, type: RecordType.SOA, ttl: ttlSeconds, mname: `ns.${apex}`, rname: `hostmaster.${apex}`, ...SOA_TIMERS, minimum: ttlSeconds },
  };
}

/** `name` if it is a valid host name, else RangeError naming `what` it was meant to be. */
function checkName(name: string, what: string): string {
  const labels = name.split('.');
  if (name.length > MAX_NAME_TEXT || labels.some((l) => l.length > MAX_LABEL_BYTES || !LABEL.test(l))) {
    throw new RangeError(`${what} "${name}" is not a valid domain name (labels of letters, digits and hyphens, 1 to ${MAX_LABEL_BYTES} each)`);
  }
  return name;
}
