/**
 * Step 3: the client-server bound. The server must upload N copies of F
 * (N·F bits through its one uplink), and the slowest client must download
 * one copy; the distribution cannot end before both are done:
 *
 *   D_cs ≥ max{ N·F / u_s , F / d_min }
 *
 * For large N the first term wins and the time grows linearly with N.
 */
import { checkCount, checkFileBytes, checkRate } from './check-input.ts';
import { largestTerm } from './largest-term.ts';
import type { ClientServerBound, ClientServerInput } from './types.ts';

/** The least time for one server to give the file to N clients, its terms, and which one is the bottleneck. */
export function clientServerBound(input: ClientServerInput): ClientServerBound {
  // TODO: check every input (step 1), with the field names of ClientServerInput.
  // TODO: compute both terms in seconds; the answer is the largest (step 2), named 'server-upload' or 'slowest-download'.
  throw new Error('TODO(12-distribution): clientServerBound');
}
