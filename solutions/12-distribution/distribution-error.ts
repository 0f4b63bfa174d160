/**
 * Input the formulas cannot work with. Given complete: the same file in
 * exercises/ and solutions/.
 */

/** What is wrong with one input. */
export type DistributionInputProblem =
  | 'not-a-number' // NaN, or not a number at all
  | 'not-finite' // Infinity where a count or a size is needed (rates may be Infinity)
  | 'negative'
  | 'not-a-whole-number' // a fraction of a byte, 2.5 peers
  | 'empty-file' // F = 0: nothing to distribute
  | 'no-peers'; // N = 0, or an empty list of peer upload rates

const SAYS: Record<DistributionInputProblem, string> = {
  'not-a-number': 'must be a number',
  'not-finite': 'must be finite',
  negative: 'must not be negative',
  'not-a-whole-number': 'must be a whole number',
  'empty-file': 'must be at least 1 byte',
  'no-peers': 'needs at least one peer',
};

/** Thrown by the bound functions for input they cannot work with; names the field and the problem. */
export class DistributionInputError extends Error {
  override name = 'DistributionInputError';
  constructor(
    /** The input's name, e.g. `"fileBytes"` or `"peerUploadBytesPerSecond[3]"`. */
    readonly field: string,
    readonly problem: DistributionInputProblem,
    /** What was given. */
    readonly value: unknown,
  ) {
    super(`${field} ${SAYS[problem]}, got ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
  }
}
