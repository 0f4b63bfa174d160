/**
 * The UDP tracker (BEP 15). {@link answerDatagram} is the whole logic as a
 * pure function: one datagram in, the answer (or nothing) out.
 * {@link attachUdpTracker} only plugs it into a node:dgram socket.
 *
 * What gets an answer and what is dropped:
 * - shorter than 16 bytes, or a connect without the protocol id: dropped
 *   (it is not a tracker request; answering strangers helps reflection attacks);
 * - announce/scrape whose connection id is forged or older than two minutes:
 *   an error (action 3), so a real client knows to connect again;
 * - wrong length, unknown action or event: an error saying what is wrong.
 */
import type dgram from 'node:dgram';
import { UDP_REQUEST_HEADER_BYTES, UdpAction } from './constants.ts';
import { TrackerRequestError } from './request-error.ts';
import type { TrackerState } from './types.ts';
import {
  encodeAnnounceResponse,
  encodeConnectResponse,
  encodeErrorResponse,
  encodeScrapeResponse,
  parseUdpRequest,
} from './udp-messages.ts';

/** Where a datagram came from. */
export interface UdpSender {
  address: string;
  port: number;
}

/** Answers one datagram, or returns undefined when it is to be dropped. Never throws for bad input. */
export function answerDatagram(packet: Buffer, from: UdpSender, state: TrackerState): Buffer | undefined {
  // TODO: shorter than the header → undefined (drop).
  // TODO: any action but connect must carry a connection id that state.connectionIds.verify()s, else an error answer.
  // TODO: parseUdpRequest → connect: encodeConnectResponse(issue(…)); announce: state.swarms.announce(…) with the
  // TODO: SENDER's address as ip (an IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d: unmapIPv4 from 'wirelab');
  // TODO: scrape: counts of each info_hash. A TrackerRequestError → encodeErrorResponse.
  throw new Error('TODO(09-tracker): answerDatagram');
}

/** Serves the UDP tracker on an already bound socket; a bug while answering one datagram never stops the others. */
export function attachUdpTracker(socket: dgram.Socket, state: TrackerState): void {
  // TODO: socket.on('message', …) → answerDatagram → socket.send(answer, rinfo.port, rinfo.address).
  // TODO: an 'error' listener, and a try/catch so one bad datagram never stops the tracker.
  throw new Error('TODO(09-tracker): attachUdpTracker');
}
