/**
 * node-pop3 (npm, pure JavaScript) as a judge of a POP3 server, with the few
 * things its Promise API does not do for us:
 *   - `RETR()` decodes the message as UTF-8 and leaves the dots stuffed;
 *     {@link retrBytes} reads the raw response stream instead and un-stuffs;
 *   - it spots the end of a multi-line response only where a read ends
 *     (`CRLF.CRLF` at the end of a chunk, or a chunk that is exactly `.CRLF`),
 *     so the message's last CRLF is sometimes cut off with the terminator:
 *     {@link retrBytes} puts it back (a POP3 message always ends with CRLF);
 *   - it has no way to drop the connection: {@link destroyNodePop3}.
 */
import Pop3Command from 'node-pop3';
import { dotUnstuff } from './pop3-session.ts';

export { Pop3Command };

/** A node-pop3 client for `user` on 127.0.0.1:`port`; it logs in on its first command. */
export function nodePop3(port: number, user: string, password: string): Pop3Command {
  return new Pop3Command({ host: '127.0.0.1', port, user, password, timeout: 5000 });
}

/** RETR n through node-pop3's raw response stream: the message bytes, un-stuffed, ending with CRLF. */
export async function retrBytes(client: Pop3Command, n: number): Promise<Buffer> {
  await client._connect();
  const [, stream] = await client.command('RETR', n);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve());
  });
  let stuffed = Buffer.concat(chunks);
  if (stuffed.length > 0 && !stuffed.subarray(-2).equals(Buffer.from('\r\n'))) stuffed = Buffer.concat([stuffed, Buffer.from('\r\n')]);
  return dotUnstuff(stuffed);
}

/** Drops node-pop3's connection without QUIT. */
export function destroyNodePop3(client: Pop3Command): void {
  client._socket?.destroy();
}
