/**
 * Step 1: refuse input the formulas cannot work with, naming the field.
 *
 * The decisions, and why:
 * - F and N are counts: whole, finite, at least 1. A file of 0 bytes or no
 *   peers is a question with no useful answer, not a time of 0.
 * - A rate of 0 is allowed and gives a time of Infinity (a server that cannot
 *   upload never delivers; a free rider's u_i = 0 is normal). A rate of
 *   Infinity is allowed and makes its term 0 ("assume downloads are fast").
 * With those rules no formula ever meets 0/0 or ∞ − ∞: the result is never NaN.
 */
import { DistributionInputError } from './distribution-error.ts';
import type { Bytes, BytesPerSecond } from './types.ts';

/** Returns F if it is a whole, finite number of bytes ≥ 1; else throws {@link DistributionInputError}. */
export function checkFileBytes(value: number, field = 'fileBytes'): Bytes {
  // TODO: NaN (or not a number) → 'not-a-number'; below 0 → 'negative'; Infinity → 'not-finite';
  //       a fraction → 'not-a-whole-number'; 0 → 'empty-file'. Throw new DistributionInputError(field, problem, value).
  throw new Error('TODO(12-distribution): checkFileBytes');
}

/** Returns N if it is a whole, finite number ≥ 1; else throws {@link DistributionInputError} (`no-peers` for 0). */
export function checkCount(value: number, field = 'clients'): number {
  // TODO: the same checks as checkFileBytes, but 0 is 'no-peers'.
  throw new Error('TODO(12-distribution): checkCount');
}

/** Returns a rate if it is a number ≥ 0 (0 and Infinity included); else throws {@link DistributionInputError}. */
export function checkRate(value: number, field: string): BytesPerSecond {
  // TODO: NaN → 'not-a-number', below 0 → 'negative'; every other number (0 and Infinity too) is a rate.
  throw new Error('TODO(12-distribution): checkRate');
}
