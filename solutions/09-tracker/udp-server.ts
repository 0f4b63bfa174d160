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
import { unmapIPv4 } from 'wirelab';
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
  if (packet.length < UDP_REQUEST_HEADER_BYTES) return undefined;
  const transactionId = packet.readUInt32BE(12);
  // Check the connection id before reading anything else: only a client that
  // proved it receives at its address gets real work done.
  if (packet.readInt32BE(8) !== UdpAction.CONNECT && !state.connectionIds.verify(packet.subarray(0, 8), from.address)) {
    return encodeErrorResponse(transactionId, 'connection id unknown or expired; connect again');
  }
  try {
    const request = parseUdpRequest(packet);
    if (request === undefined) return undefined;
    switch (request.action) {
      case 'connect':
        return encodeConnectResponse(request.transactionId, state.connectionIds.issue(from.address));
      case 'announce': {
        // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d: it is an IPv4 peer.
        const ip = unmapIPv4(from.address);
        const result = state.swarms.announce(
          {
            infoHash: request.infoHash,
            peerId: request.peerId,
            // The ip field is ignored: trusting it would let anyone add a victim to swarms.
            ip,
            port: request.port,
            uploaded: request.uploaded,
            downloaded: request.downloaded,
            left: request.left,
            event: request.event,
            numWant: request.numWant,
          },
          state.now(),
        );
        return encodeAnnounceResponse(request.transactionId, state.intervalSeconds, result, ip.includes(':'));
      }
      case 'scrape':
        return encodeScrapeResponse(request.transactionId, request.infoHashes.map((h) => state.swarms.scrape(h)));
    }
  } catch (error) {
    if (error instanceof TrackerRequestError) return encodeErrorResponse(transactionId, error.reason);
    throw error;
  }
}

/** Serves the UDP tracker on an already bound socket; a bug while answering one datagram never stops the others. */
export function attachUdpTracker(socket: dgram.Socket, state: TrackerState): void {
  socket.on('message', (packet, rinfo) => {
    let answer: Buffer | undefined;
    try {
      answer = answerDatagram(packet, { address: rinfo.address, port: rinfo.port }, state);
    } catch (error) {
      process.emitWarning(`udp tracker: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (answer) socket.send(answer, rinfo.port, rinfo.address, () => {
      // A failed send (the client vanished, ICMP unreachable) concerns that client only.
    });
  });
  // Without an 'error' listener a socket error would crash the process.
  socket.on('error', () => {});
}
