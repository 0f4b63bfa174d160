/**
 * The course: every exercise in order, as in README.md ("The exercises"). An
 * exercise that is not written yet (no folder under `exercises/` or no graded
 * tests, see `isAvailable` in kit-paths.ts) is shown as "coming".
 */
export interface ExerciseInfo {
  /** Two digits, the number students type: `wirelab verify 04`. */
  readonly number: string;
  /** Folder name under exercises/, solutions/ and the test file's stem. */
  readonly id: string;
  /** One line: what the student builds. */
  readonly title: string;
}

export const EXERCISES: readonly ExerciseInfo[] = [
  { number: '01', id: '01-udp-echo', title: 'UDP echo server and a client with a timeout' },
  { number: '02', id: '02-udp-pinger', title: 'Ping client: RTT min/avg/max/stddev and loss over UDP' },
  { number: '03', id: '03-tcp-lines', title: 'Line-based TCP server for many clients, CRLF framing' },
  { number: '04', id: '04-smtp-client', title: 'SMTP client: EHLO, MAIL, RCPT, DATA with dot-stuffing' },
  { number: '05', id: '05-smtp-server', title: 'SMTP server delivering into Maildir mailboxes' },
  { number: '06', id: '06-pop3', title: 'POP3 server so the user agent reads mail later' },
  { number: '07', id: '07-mail-relay', title: "Sender's mail server: queue, relay, retry, bounce" },
  { number: '08', id: '08-metainfo', title: 'Bencode and .torrent metainfo with SHA-1 piece hashes' },
  { number: '09', id: '09-tracker', title: 'BitTorrent tracker over HTTP and UDP' },
  { number: '10', id: '10-peer', title: 'Chunk-swapping peer speaking the peer wire protocol' },
  { number: '11', id: '11-swarm', title: 'Rarest first, tit-for-tat and optimistic unchoke' },
  { number: '12', id: '12-distribution', title: 'Client-server vs P2P distribution time, measured' },
  { number: '13', id: '13-cdn', title: 'A small CDN: DNS that steers each client to its nearest edge, caching HTTP edges' },
];

/**
 * Finds an exercise by what a user typed: `4`, `04`, `04-smtp-client` or `smtp-client`.
 * Returns undefined when nothing matches, so the CLI can say so in one sentence.
 */
export function findExercise(query: string): ExerciseInfo | undefined {
  const q = query.trim().toLowerCase();
  const padded = /^\d+$/.test(q) ? q.padStart(2, '0') : q;
  return EXERCISES.find((e) => e.number === padded || e.id === q || e.id.slice(3) === q);
}
