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
  checkWhole(value, field);
  if (value === 0) throw new DistributionInputError(field, 'empty-file', value);
  return value;
}

/** Returns N if it is a whole, finite number ≥ 1; else throws {@link DistributionInputError} (`no-peers` for 0). */
export function checkCount(value: number, field = 'clients'): number {
  checkWhole(value, field);
  if (value === 0) throw new DistributionInputError(field, 'no-peers', value);
  return value;
}

/** Returns a rate if it is a number ≥ 0 (0 and Infinity included); else throws {@link DistributionInputError}. */
export function checkRate(value: number, field: string): BytesPerSecond {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new DistributionInputError(field, 'not-a-number', value);
  if (value < 0) throw new DistributionInputError(field, 'negative', value);
  return value;
}

/** A count: a number, finite, not negative, whole. */
function checkWhole(value: number, field: string): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new DistributionInputError(field, 'not-a-number', value);
  if (value < 0) throw new DistributionInputError(field, 'negative', value);
  if (!Number.isFinite(value)) throw new DistributionInputError(field, 'not-finite', value);
  if (!Number.isInteger(value)) throw new DistributionInputError(field, 'not-a-whole-number', value);
}
