/**
 * Real peers as judges for SMTP clients: the `smtp-server` package from npm
 * (nodemailer's server), collecting every message it receives with its
 * envelope, and a recording TCP pass-through so the dialogue with it lands in
 * the test's transcript whatever the client under test does with transcripts.
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress } from 'smtp-server';
import type { Transcript } from '../../lib/transcript/transcript.ts';

/** One message as smtp-server handed it over (after its own dot-unstuffing). */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message bytes exactly as received, final CRLF included. */
  data: Buffer;
  /** The `SIZE=` parameter of MAIL FROM, if the client sent one. */
  sizeParam: string | undefined;
}

/** A running smtp-server. */
export interface JudgeServer {
  readonly host: string;
  readonly port: number;
  /** Every accepted message, in arrival order. */
  readonly received: ReceivedMail[];
  /** How many TCP connections clients opened so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Options for {@link startSmtpServerJudge}. */
export interface JudgeOptions {
  /** Recipients to refuse with `550 no such user`. */
  refuse?: readonly string[];
  /** The SIZE limit to advertise, in octets. @default 1 MiB */
  size?: number;
}

/** Starts smtp-server on 127.0.0.1, port 0: no TLS, no AUTH, accepting every sender. */
export async function startSmtpServerJudge(options: JudgeOptions = {}): Promise<JudgeServer> {
  const received: ReceivedMail[] = [];
  let connections = 0;
  const refuse = new Set((options.refuse ?? []).map((a) => a.toLowerCase()));
  const server = new SMTPServer({
    logger: false,
    hideSTARTTLS: true,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.size ?? 1024 * 1024,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) {
        const error = Object.assign(new Error('no such user'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
          sizeParam: from === false || from.args === false ? undefined : (from.args as Record<string, string>)['SIZE'],
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    received,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP pass-through on 127.0.0.1, port 0, that records both directions into a transcript. */
export async function startRecordingProxy(
  target: { host: string; port: number },
  transcript: Transcript,
): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      transcript.record('client', chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      transcript.record('server', chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
