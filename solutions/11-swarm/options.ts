/**
 * The knobs of the two strategies, with the defaults of Cohen's 2003 paper and
 * the mainline client. Every interval is an option so a test (or a swarm on
 * loopback) can run a minute of choking in milliseconds. Given complete.
 */

/** How {@link createPiecePicker} chooses. */
export interface PiecePickerOptions {
  /**
   * While we have verified fewer pieces than this, new pieces are chosen at
   * random rather than rarest first. The rarest pieces are held by few peers,
   * so they come slowly; a newcomer with nothing to trade wants any whole piece
   * fast, to start earning unchokes. The mainline client and Cohen's paper
   * use one random piece; libtorrent uses four (`initial_picker_threshold`).
   * 0 means rarest first from the start.
   * @default 1
   */
  randomFirstPieces?: number;
}

/** How {@link createChoker} chooses. */
export interface ChokerOptions {
  /**
   * Peers unchoked for their rate (tit-for-tat), not counting the optimistic one.
   * @default 4
   */
  regularSlots?: number;
  /**
   * How long the optimistic slot stays with one peer before it moves on. Long
   * enough for that peer to get a piece and start uploading back to us.
   * @default 30000
   */
  optimisticIntervalMs?: number;
  /**
   * A peer that has sent us no block for this long, and has been connected at
   * least this long, is snubbing us: it only gets the optimistic slot.
   * @default 60000
   */
  snubTimeoutMs?: number;
  /**
   * Peers connected less than this long ago are newcomers, weighted up for the
   * optimistic slot. Defaults to the optimistic interval, whatever it is set to.
   * @default 30000
   */
  newcomerWindowMs?: number;
  /**
   * How many times as likely a newcomer is to get the optimistic slot as any
   * other candidate (the mainline client made newcomers three times as likely).
   * @default 3
   */
  newcomerWeight?: number;
}

/** @see PiecePickerOptions.randomFirstPieces */
export const DEFAULT_RANDOM_FIRST_PIECES = 1;
/** @see ChokerOptions.regularSlots */
export const DEFAULT_REGULAR_SLOTS = 4;
/** @see ChokerOptions.optimisticIntervalMs */
export const DEFAULT_OPTIMISTIC_INTERVAL_MS = 30_000;
/** @see ChokerOptions.snubTimeoutMs */
export const DEFAULT_SNUB_TIMEOUT_MS = 60_000;
/** @see ChokerOptions.newcomerWeight */
export const DEFAULT_NEWCOMER_WEIGHT = 3;
/**
 * How often the peer should call the choker (a rechoke). The choker itself has
 * no timer: every call is a rechoke, so the peer may also call it when a peer
 * becomes interested or leaves, without waiting for the next tick.
 */
export const DEFAULT_RECHOKE_INTERVAL_MS = 10_000;

/** Choker options with every default filled in. */
export type ResolvedChokerOptions = Required<ChokerOptions>;

/** Fills in the defaults; a RangeError for a count or a time that makes no sense. */
export function resolveChokerOptions(options: ChokerOptions = {}): ResolvedChokerOptions {
  const optimisticIntervalMs = options.optimisticIntervalMs ?? DEFAULT_OPTIMISTIC_INTERVAL_MS;
  const resolved: ResolvedChokerOptions = {
    regularSlots: options.regularSlots ?? DEFAULT_REGULAR_SLOTS,
    optimisticIntervalMs,
    snubTimeoutMs: options.snubTimeoutMs ?? DEFAULT_SNUB_TIMEOUT_MS,
    newcomerWindowMs: options.newcomerWindowMs ?? optimisticIntervalMs,
    newcomerWeight: options.newcomerWeight ?? DEFAULT_NEWCOMER_WEIGHT,
  };
  requireCount('regularSlots', resolved.regularSlots);
  requireDuration('optimisticIntervalMs', resolved.optimisticIntervalMs);
  requireDuration('snubTimeoutMs', resolved.snubTimeoutMs);
  requireDuration('newcomerWindowMs', resolved.newcomerWindowMs);
  if (!(resolved.newcomerWeight > 0) || !Number.isFinite(resolved.newcomerWeight)) {
    throw new RangeError(`newcomerWeight must be a positive number, got ${resolved.newcomerWeight}`);
  }
  return resolved;
}

/** Fills in the defaults; a RangeError for a count that makes no sense. */
export function resolvePiecePickerOptions(options: PiecePickerOptions = {}): Required<PiecePickerOptions> {
  const randomFirstPieces = options.randomFirstPieces ?? DEFAULT_RANDOM_FIRST_PIECES;
  requireCount('randomFirstPieces', randomFirstPieces);
  return { randomFirstPieces };
}

function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, 0 or more, got ${value}`);
}

function requireDuration(name: string, value: number): void {
  if (!(value >= 0)) throw new RangeError(`${name} must be a time in ms, 0 or more, got ${value}`);
}
