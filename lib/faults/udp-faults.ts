/**
 * What a lossy network does to datagrams, decided per datagram without
 * sockets: the UDP fault proxy asks a plan for each datagram it forwards.
 * Decisions depend only on the seed, the direction and the datagram's index
 * in that direction, so a test sees the same losses on every run.
 */
import { SeededRandom, type Seed } from './random.ts';

/** Faults applied to the datagrams of one direction (or both). */
export interface UdpFaults {
  /** Probability that a datagram is dropped. @default 0 */
  drop?: number;
  /** Probability that a datagram is delivered twice. @default 0 */
  duplicate?: number;
  /**
   * Probability that a datagram is held back and delivered after the next one
   * (or after `holdMs` if no next one comes). @default 0
   */
  reorder?: number;
  /** Delay before delivery, fixed or a `[min, max]` range drawn per datagram. @default 0 */
  delayMs?: number | readonly [number, number];
  /** Exactly these datagrams are dropped (0-based index in this direction), on top of `drop`. @example [1, 4] */
  dropIndices?: readonly number[];
  /** Exactly these datagrams are duplicated, on top of `duplicate`. */
  duplicateIndices?: readonly number[];
  /** Exactly these datagrams are held back behind the next one, on top of `reorder`. */
  reorderIndices?: readonly number[];
}

/** What happens to one datagram. */
export interface UdpFaultDecision {
  /** 0-based index of the datagram in its direction. */
  index: number;
  drop: boolean;
  duplicate: boolean;
  reorder: boolean;
  /** Milliseconds to wait before delivering (0: at once). */
  delayMs: number;
}

/** Checks one fault setting, so a typo like `drop: 30` fails loudly instead of dropping everything. */
function checkProbability(name: string, p: number | undefined): number {
  const value = p ?? 0;
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a probability between 0 and 1, got ${p}`);
  return value;
}

/** Seeded decisions for the datagrams of one direction. */
export class UdpFaultPlan {
  private readonly random: SeededRandom;
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly reorder: number;
  private readonly delay: readonly [number, number];
  private readonly dropAt: ReadonlySet<number>;
  private readonly duplicateAt: ReadonlySet<number>;
  private readonly reorderAt: ReadonlySet<number>;
  private index = 0;

  constructor(seed: Seed, label: string, faults: UdpFaults) {
    this.random = SeededRandom.derive(seed, label);
    this.drop = checkProbability('drop', faults.drop);
    this.duplicate = checkProbability('duplicate', faults.duplicate);
    this.reorder = checkProbability('reorder', faults.reorder);
    const d = faults.delayMs ?? 0;
    this.delay = typeof d === 'number' ? [d, d] : [d[0], d[1]];
    if (!(this.delay[0] >= 0 && this.delay[1] >= this.delay[0])) throw new RangeError(`delayMs must be >= 0 and [min, max] with min <= max, got ${String(d)}`);
    this.dropAt = new Set(faults.dropIndices ?? []);
    this.duplicateAt = new Set(faults.duplicateIndices ?? []);
    this.reorderAt = new Set(faults.reorderIndices ?? []);
  }

  /** Decides the fate of the next datagram. Always draws four numbers, so one setting never shifts another's decisions. */
  next(): UdpFaultDecision {
    const index = this.index++;
    const drop = this.random.chance(this.drop) || this.dropAt.has(index);
    const duplicate = this.random.chance(this.duplicate) || this.duplicateAt.has(index);
    const reorder = this.random.chance(this.reorder) || this.reorderAt.has(index);
    const [min, max] = this.delay;
    const delayMs = min + this.random.float() * (max - min);
    return { index, drop, duplicate, reorder, delayMs: Math.round(delayMs) };
  }
}
