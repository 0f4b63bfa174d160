/**
 * Step 4: the P2P bound. Three things must happen before every peer has the
 * file: each bit leaves the server at least once (F / u_s); the slowest peer
 * downloads one copy (F / d_min); and N copies are uploaded in all, by the
 * server and the peers together (N·F / (u_s + Σ u_i)):
 *
 *   D_p2p ≥ max{ F / u_s , F / d_min , N·F / (u_s + Σ u_i) }
 *
 * Each new peer brings demand (one more copy) and capacity (its upload), so
 * the third term levels off instead of growing without end.
 */
import { checkFileBytes, checkRate } from './check-input.ts';
import { DistributionInputError } from './distribution-error.ts';
import { largestTerm } from './largest-term.ts';
import type { P2pBound, P2pInput } from './types.ts';

/** The least time for a server and N uploading peers to give every peer the file, its terms, and the bottleneck. */
export function p2pBound(input: P2pInput): P2pBound {
  const fileBytes = checkFileBytes(input.fileBytes);
  const serverUpload = checkRate(input.serverUploadBytesPerSecond, 'serverUploadBytesPerSecond');
  const minDownload = checkRate(input.minDownloadBytesPerSecond, 'minDownloadBytesPerSecond');
  const uploads = input.peerUploadBytesPerSecond;
  if (!Array.isArray(uploads) || uploads.length === 0) throw new DistributionInputError('peerUploadBytesPerSecond', 'no-peers', uploads);
  let totalUpload = serverUpload;
  uploads.forEach((u, i) => (totalUpload += checkRate(u, `peerUploadBytesPerSecond[${i}]`)));
  const terms = {
    serverUploadSeconds: fileBytes / serverUpload,
    slowestDownloadSeconds: fileBytes / minDownload,
    totalUploadSeconds: (uploads.length * fileBytes) / totalUpload,
  };
  return {
    ...largestTerm([
      ['server-upload', terms.serverUploadSeconds],
      ['slowest-download', terms.slowestDownloadSeconds],
      ['total-upload', terms.totalUploadSeconds],
    ] as const),
    terms,
  };
}
