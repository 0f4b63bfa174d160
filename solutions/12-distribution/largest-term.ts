/**
 * Step 2: a bound is the largest of its terms, and the term that wins is the
 * bottleneck: the one resource that, made faster, would make distribution
 * faster.
 */
import type { Seconds } from './types.ts';

/**
 * The largest of `terms` (name, seconds) and its name. A tie goes to the
 * term listed first, so the answer never depends on rounding luck.
 *
 * @example
 * largestTerm([['server-upload', 10], ['slowest-download', 12]]) // { seconds: 12, bottleneck: 'slowest-download' }
 */
export function largestTerm<Name extends string>(terms: ReadonlyArray<readonly [Name, Seconds]>): { seconds: Seconds; bottleneck: Name } {
  if (terms.length === 0) throw new RangeError('largestTerm: no terms');
  let [bottleneck, seconds] = terms[0]!;
  for (const [name, value] of terms.slice(1)) {
    if (value > seconds) [bottleneck, seconds] = [name, value]; // strictly larger: a tie keeps the earlier term
  }
  return { seconds, bottleneck };
}
