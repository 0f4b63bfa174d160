/**
 * BEP 15 connection ids: proof that a UDP client can receive at the address
 * it sends from, so nobody can make the tracker flood a victim with answers
 * by forging the victim's address.
 *
 * Stateless and unforgeable: the id is the first 8 bytes of
 * HMAC-SHA256(secret, client IP address, time bucket). Only the tracker knows
 * the secret, so an id cannot be guessed or computed by anyone else; the
 * tracker stores nothing per client, so a flood of connects cannot fill its
 * memory. The id is tied to the IP address, not the port: what it proves is
 * that the sender receives at that address, and real clients (libtorrent)
 * share one id among all their sockets.
 *
 * Time is cut into buckets of one minute; an id made in bucket b is accepted
 * while the clock is in bucket b, b+1 or b+2. So every id works for at least
 * the two minutes BEP 15 asks for, and none for more than three.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONNECTION_ID_LIFETIME_MS } from './constants.ts';

/** Length of one time bucket. */
const BUCKET_MS = CONNECTION_ID_LIFETIME_MS / 2;
/** Buckets accepted: the current one and the two before it. */
const BUCKETS_ACCEPTED = 3;
/** A connection id is an int64 on the wire. */
const CONNECTION_ID_BYTES = 8;

/** Makes and checks connection ids for one tracker. */
export class ConnectionIds {
  constructor(
    /** The tracker's clock in milliseconds. */
    private readonly now: () => number = Date.now,
    /** The HMAC key; a fresh random one unless a test fixes it. */
    private readonly secret: Uint8Array = randomBytes(32),
  ) {}

  /** A new connection id for the client at IP address `host`. */
  issue(host: string): Buffer {
    // TODO: the first CONNECTION_ID_BYTES of HMAC-SHA256(secret, `${host}|${bucket}`), bucket = floor(now() / BUCKET_MS).
    throw new Error('TODO(09-tracker): ConnectionIds.issue');
  }

  /** True when `id` was issued to IP address `host` less than two (at most three) minutes ago. */
  verify(id: Uint8Array, host: string): boolean {
    // TODO: recompute the id for the current bucket and the BUCKETS_ACCEPTED - 1 before it; compare with timingSafeEqual.
    throw new Error('TODO(09-tracker): ConnectionIds.verify');
  }
}
