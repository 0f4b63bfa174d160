/**
 * The TCP layer: a server that survives its clients, reads that frame lines
 * and exact byte counts whatever the chunking, bounded waits, backpressure.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ConnectionClosedError, FramingError, TimeoutError, WirelabError } from '../../lib/errors.ts';
import { connectTcp, type ConnectOptions } from '../../lib/tcp/connect.ts';
import type { Connection } from '../../lib/tcp/connection.ts';
import { listenTcp, type ConnectionHandler, type ListenOptions, type TcpServer } from '../../lib/tcp/listen.ts';
import { Transcript } from '../../lib/transcript/transcript.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  // Clients first, then servers (registered in that reverse order).
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: ConnectionHandler, options: ListenOptions = {}): Promise<TcpServer> {
  const server = await listenTcp(handler, { graceMs: 200, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function connect(port: number, options: Partial<ConnectOptions> = {}): Promise<Connection> {
  const conn = await connectTcp({ port, readTimeoutMs: 3000, ...options });
  cleanups.push(() => conn.destroy());
  return conn;
}

/** A raw socket, to send bytes in exactly the pieces a test wants. */
async function rawSocket(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ port, host });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  cleanups.push(() => socket.destroy());
  return socket;
}

/** Writes each piece in its own write, letting the event loop turn in between so they travel apart. */
async function writePieces(socket: net.Socket, pieces: Array<string | Buffer>): Promise<void> {
  for (const piece of pieces) {
    await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Checked once: does this machine have an IPv6 loopback address? */
const hasIPv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = net.createServer();
  probe.once('error', () => resolve(false));
  probe.listen({ host: '::1', port: 0 }, () => probe.close(() => resolve(true)));
});

const echoUpper: ConnectionHandler = async (conn) => {
  for await (const line of conn.lines()) await conn.writeLine(line.toUpperCase());
};

describe('listenTcp and connectTcp', () => {
  test('listens on a port the OS picked and reports it', async () => {
    const server = await serve(echoUpper);
    expect(server.port).toBeGreaterThan(0);
    expect(server.host).toBe('127.0.0.1');
    const conn = await connect(server.port);
    expect(conn.remotePort).toBe(server.port);
    expect(conn.localPort).toBeGreaterThan(0);
    await conn.writeLine('hello');
    expect(await conn.readLine()).toBe('HELLO');
  });

  test('a port already in use is an error with code EADDRINUSE', async () => {
    const first = await serve(echoUpper);
    await expect(listenTcp(echoUpper, { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  test('connecting to a port nobody listens on is ECONNREFUSED', async () => {
    const server = await listenTcp(echoUpper);
    const port = server.port;
    await server.close();
    await expect(connectTcp({ port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a connect that gets no answer ends with TimeoutError', async () => {
    // A listener whose process stops accepting: once its small backlog is full,
    // the kernel drops further SYNs and connect() hangs (no timing guesswork).
    const child = spawn(process.execPath, ['-e', `
      const server = require('node:net').createServer();
      server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
        console.log(server.address().port);
        setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 8000), 20);
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill());
    const port = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    await new Promise((resolve) => setTimeout(resolve, 100)); // let it block
    let error: unknown;
    for (let i = 0; i < 20 && error === undefined; i++) {
      await connectTcp({ port, timeoutMs: 300 }).then((conn) => cleanups.push(() => conn.destroy()), (e: unknown) => (error = e));
    }
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).waitingFor).toBe(`a TCP connection to 127.0.0.1:${port}`);
  });

  test('an aborted signal stops the connect', async () => {
    const server = await serve(echoUpper);
    const controller = new AbortController();
    controller.abort(new Error('user gave up'));
    await expect(connectTcp({ port: server.port, signal: controller.signal })).rejects.toThrow('user gave up');
  });

  test('a handler that throws loses its own connection only; onError hears about it', async () => {
    const errors: unknown[] = [];
    const server = await serve(
      async (conn) => {
        const line = await conn.readLine();
        if (line === 'crash') throw new Error('handler bug');
        await conn.writeLine(`ok ${line}`);
        await echoUpper(conn);
      },
      { onError: (error) => errors.push(error) },
    );
    const good = await connect(server.port);
    const bad = await connect(server.port);
    await bad.writeLine('crash');
    expect(await bad.readLine().catch(() => null)).toBeNull(); // destroyed by the server
    await good.writeLine('first');
    expect(await good.readLine()).toBe('ok first');
    await good.writeLine('still here');
    expect(await good.readLine()).toBe('STILL HERE');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('handler bug');
    const third = await connect(server.port);
    await third.writeLine('late');
    expect(await third.readLine()).toBe('ok late');
  });

  test('when the handler returns, the connection is ended', async () => {
    const server = await serve(async (conn) => {
      await conn.writeLine('bye');
    });
    const conn = await connect(server.port);
    expect(await conn.readLine()).toBe('bye');
    expect(await conn.readLine()).toBeNull();
  });

  test('server.connections tracks open connections', async () => {
    const server = await serve(echoUpper);
    const conn = await connect(server.port);
    await conn.writeLine('x');
    await conn.readLine();
    expect(server.connections.size).toBe(1);
    await conn.end();
    await [...server.connections][0]?.closed;
    expect(server.connections.size).toBe(0);
  });

  test('close() waits for connections, then destroys the ones still open after graceMs', async () => {
    const server = await listenTcp(async (conn) => {
      await conn.readLine({ timeoutMs: 60_000 }); // a client that never speaks
    }, { graceMs: 100 });
    const conn = await connect(server.port);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    await expect(conn.readLine()).resolves.toBeNull();
    await expect(connectTcp({ port: server.port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test.skipIf(!hasIPv6Loopback)('a dual-stack listener on :: shows IPv4 clients as plain IPv4 addresses', async () => {
    const server = await serve(async (conn) => {
      await conn.writeLine(conn.remoteAddress);
    }, { host: '::' });
    const conn = await connect(server.port, { host: '127.0.0.1' });
    expect(await conn.readLine()).toBe('127.0.0.1');
  });

  test.skipIf(!hasIPv6Loopback)(`works over IPv6 on ::1${hasIPv6Loopback ? '' : ' (skipped: this machine has no ::1 loopback address)'}`, async () => {
    const server = await serve(echoUpper, { host: '::1' });
    expect(server.host).toBe('::1');
    const conn = await connect(server.port, { host: '::1' });
    await conn.writeLine('six');
    expect(await conn.readLine()).toBe('SIX');
    expect(conn.peer).toBe(`[::1]:${server.port}`);
  });
});

describe('reading lines', () => {
  test('lines split across reads, CRLF split in the middle, LF alone', async () => {
    const lines: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const server = await serve(async (conn) => {
      for await (const line of conn.lines()) lines.push(line);
      done();
    });
    const socket = await rawSocket(server.port);
    await writePieces(socket, ['HE', 'LO a\r', '\nMAIL', ' FROM:<x>\r\n', 'plain\n', '\r\n', 'é'.slice(0, 1), '\r\n']);
    socket.end();
    await finished;
    expect(lines).toEqual(['HELO a', 'MAIL FROM:<x>', 'plain', '', 'é']);
  });

  test("lineEnding 'crlf' keeps a bare LF inside the line; a read can override the connection's mode", async () => {
    const server = await serve(async (conn) => {
      await conn.write('a\nb\r\nc\nd\r\n');
    });
    const conn = await connect(server.port, { lineEnding: 'crlf' });
    expect(await conn.readLine()).toBe('a\nb');
    expect(await conn.readLine({ lineEnding: 'any' })).toBe('c');
    expect(await conn.readLine()).toBe('d');
  });

  test('readLineBytes returns the bytes untouched', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const server = await serve(async (conn) => {
      await conn.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
    });
    const conn = await connect(server.port);
    expect([...(await conn.readLineBytes())!]).toEqual([...bytes]);
  });

  test('tryReadLine takes the lines that have already arrived, then says undefined until readLine waits for more', async () => {
    let sendRest: () => void = () => {};
    const rest = new Promise<void>((resolve) => (sendRest = resolve));
    const server = await serve(async (conn) => {
      await conn.write('MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n\xff\r\n');
      await rest;
      await conn.write('DATA\r\n');
    });
    const conn = await connect(server.port, { lineEnding: 'crlf' });
    expect(await conn.readLine()).toBe('MAIL FROM:<a@b>');
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the whole first write arrive
    expect(conn.tryReadLine()).toBe('RCPT TO:<c@d>');
    expect([...conn.tryReadLineBytes()!]).toEqual([0xc3, 0xbf]);
    expect(conn.tryReadLine()).toBeUndefined();
    sendRest();
    expect(await conn.readLine()).toBe('DATA');
    expect(conn.tryReadLine()).toBeUndefined(); // the end of the stream is for readLine to say
    expect(await conn.readLine()).toBeNull();
  });

  test('tryReadLine throws FramingError for an overlong line, and refuses while another read waits', async () => {
    const server = await serve(async (conn) => {
      await conn.write(`${'x'.repeat(2000)}\r\nnext\r\n`);
      await conn.readLine();
    });
    const conn = await connect(server.port, { maxLineBytes: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 50)); // let both lines arrive
    expect(() => conn.tryReadLine()).toThrow(FramingError);
    expect(conn.tryReadLine()).toBe('next');
    const waiting = conn.readLine();
    expect(() => conn.tryReadLine()).toThrow(WirelabError);
    await conn.write('bye\r\n');
    await conn.end();
    expect(await waiting).toBeNull();
  });

  test('an overlong line is a FramingError, the rest of it is skipped and the connection stays usable', async () => {
    const server = await serve(async (conn) => {
      await conn.write(`${'x'.repeat(100_000)}\r\nnext\r\n`);
    });
    const conn = await connect(server.port, { maxLineBytes: 1000 });
    const error = await conn.readLine().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FramingError);
    expect(error).toMatchObject({ kind: 'line-too-long', limit: 1000 });
    expect(await conn.readLine()).toBe('next');
    expect(await conn.readLine()).toBeNull();
  });

  test('a client that disconnects mid-line: readLine throws ConnectionClosedError, the server serves others', async () => {
    const outcomes: unknown[] = [];
    const server = await serve(
      async (conn) => {
        try {
          for await (const line of conn.lines()) await conn.writeLine(line.toUpperCase());
          outcomes.push('clean end');
        } catch (error) {
          outcomes.push(error);
          throw error;
        }
      },
      { onError: () => {} },
    );
    const leaver = await rawSocket(server.port);
    await writePieces(leaver, ['QUIT\r\n', 'half a li']);
    leaver.end();
    await new Promise<void>((resolve) => leaver.once('close', resolve).resume());
    const other = await connect(server.port);
    await other.writeLine('still serving');
    expect(await other.readLine()).toBe('STILL SERVING');
    await other.end();
    expect(await other.readLine()).toBeNull();
    await expect.poll(() => outcomes.length).toBe(2);
    expect(outcomes[0]).toBeInstanceOf(ConnectionClosedError);
    expect((outcomes[0] as Error).message).toMatch(/9 bytes without a line end/);
    expect(outcomes[1]).toBe('clean end');
  });

  test('a read that times out loses nothing: the line is there for the next read', async () => {
    let release!: () => void;
    const later = new Promise<void>((resolve) => (release = resolve));
    const server = await serve(async (conn) => {
      await conn.write('par');
      await later;
      await conn.writeLine('tial');
    });
    const conn = await connect(server.port);
    const error = await conn.readLine({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ ms: 50 });
    release();
    expect(await conn.readLine()).toBe('partial');
  });

  test('an AbortSignal stops a read with its reason', async () => {
    const server = await serve(async (conn) => {
      await conn.readLine();
    });
    const conn = await connect(server.port);
    const controller = new AbortController();
    const read = conn.readLine({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(read).rejects.toThrow('stop');
  });

  test('reads take turns: a second read while one waits is refused', async () => {
    const server = await serve(async (conn) => {
      await conn.readLine();
    });
    const conn = await connect(server.port);
    const first = conn.readLine({ timeoutMs: 100 });
    await expect(conn.readLine()).rejects.toBeInstanceOf(WirelabError);
    await expect(first).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('reading exact byte counts', () => {
  test('readExactly assembles many small chunks', async () => {
    const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    let received: Buffer | undefined;
    const server = await serve(async (conn) => {
      received = await conn.readExactly(payload.length);
      await conn.write('got it\n');
    });
    const socket = await rawSocket(server.port);
    const pieces: Buffer[] = [];
    for (let at = 0; at < payload.length; at += 7) pieces.push(payload.subarray(at, at + 7));
    await writePieces(socket, pieces.slice(0, 50));
    socket.write(Buffer.concat(pieces.slice(50)));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    expect(received?.equals(payload)).toBe(true);
  });

  test('readExactly then readLine on the same stream', async () => {
    const server = await serve(async (conn) => {
      await conn.write(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('hello'), Buffer.from('after\r\n')]));
    });
    const conn = await connect(server.port);
    const length = (await conn.readExactly(4)).readUInt32BE(0);
    expect((await conn.readExactly(length)).toString()).toBe('hello');
    expect(await conn.readLine()).toBe('after');
  });

  test('readExactly of more than the read high-water mark keeps the socket flowing until it is satisfied', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x5a);
    const server = await serve(async (conn) => {
      await conn.write(big);
    });
    const conn = await connect(server.port, { readHighWaterMark: 64 * 1024 });
    expect((await conn.readExactly(big.length)).equals(big)).toBe(true);
  });

  test('readAvailable returns what has arrived, then null at the end', async () => {
    const server = await serve(async (conn) => {
      await conn.write('some bytes');
    });
    const conn = await connect(server.port);
    let text = '';
    for (let chunk = await conn.readAvailable(); chunk !== null; chunk = await conn.readAvailable()) text += chunk.toString();
    expect(text).toBe('some bytes');
  });

  test('readExactly: ConnectionClosedError when the stream ends first', async () => {
    const server = await serve(async (conn) => {
      await conn.write('abc');
    });
    const conn = await connect(server.port);
    const error = await conn.readExactly(10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/3 arrived/);
  });
});

describe('length-prefixed frames', () => {
  test('writeFrame and readFrame carry payloads and keep-alives; null at the end', async () => {
    const server = await serve(async (conn) => {
      await conn.writeFrame(Buffer.from([5, 0, 0, 0, 1]));
      await conn.writeFrame(Buffer.alloc(0));
      await conn.writeFrame('text');
    });
    const conn = await connect(server.port);
    expect([...(await conn.readFrame())!]).toEqual([5, 0, 0, 0, 1]);
    expect((await conn.readFrame())!.length).toBe(0);
    expect((await conn.readFrame())!.toString()).toBe('text');
    expect(await conn.readFrame()).toBeNull();
  });

  test('a frame over maxFrameBytes is frame-too-large; an end mid-frame is ConnectionClosedError', async () => {
    const server = await serve(async (conn) => {
      const which = await conn.readLine();
      await conn.write(which === 'big' ? Buffer.from([0, 1, 0, 0]) : Buffer.from([0, 0, 0, 9, 1, 2]));
    });
    const big = await connect(server.port);
    await big.writeLine('big');
    await expect(big.readFrame({ maxFrameBytes: 1024 })).rejects.toMatchObject({ kind: 'frame-too-large', limit: 1024 });
    const cut = await connect(server.port);
    await cut.writeLine('cut');
    const error = await cut.readFrame().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/6 bytes of it arrived/);
  });
});

describe('writing', () => {
  test('a writer that awaits write() is held back by a slow reader (bounded memory)', async () => {
    const CHUNK = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    const server = await serve(
      async (conn) => {
        while (written < 256 * 1024 * 1024) {
          await conn.write(CHUNK, { timeoutMs: 5000 });
          written += CHUNK.length;
        }
      },
      { onError: () => {} },
    );
    const conn = await connect(server.port);
    let read = 0;
    for (let i = 0; i < 10; i++) {
      read += (await conn.readExactly(16 * 1024)).length;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Kernel socket buffers on loopback hold a few MiB; without backpressure the
    // writer would have pushed its whole 256 MiB by now.
    expect(read).toBe(160 * 1024);
    expect(written).toBeLessThan(48 * 1024 * 1024);
    expect(conn.socket.isPaused()).toBe(true); // our own queue is capped too
  });

  test('end() half-closes: the peer reads to the end and can still answer', async () => {
    const server = await serve(async (conn) => {
      const lines: string[] = [];
      for await (const line of conn.lines()) lines.push(line);
      await conn.writeLine(`you sent ${lines.length} lines`);
    });
    const conn = await connect(server.port);
    await conn.writeLine('one');
    await conn.writeLine('two');
    await conn.end();
    expect(await conn.readLine()).toBe('you sent 2 lines');
    expect(await conn.readLine()).toBeNull();
    await conn.closed;
  });

  test('writing to a peer that went away rejects with ConnectionClosedError (no crash)', async () => {
    const server = await serve(async (conn) => {
      conn.destroy();
    });
    const conn = await connect(server.port);
    await conn.closed;
    await expect(conn.write('anyone there?')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a writer streaming to a peer that resets gets ConnectionClosedError, not a crash', async () => {
    const server = await serve(async (conn) => {
      await conn.readExactly(1024);
      conn.destroy(); // unread data left: the kernel answers with a reset
    });
    const conn = await connect(server.port);
    const chunk = Buffer.alloc(1024 * 1024);
    let error: unknown;
    for (let i = 0; i < 200 && error === undefined; i++) {
      await conn.write(chunk, { timeoutMs: 2000 }).catch((e: unknown) => (error = e));
    }
    expect(error).toBeInstanceOf(ConnectionClosedError);
  });

  test('write after end is refused with ConnectionClosedError', async () => {
    const server = await serve(async (conn) => {
      await conn.readLine();
    });
    const conn = await connect(server.port);
    await conn.end();
    await expect(conn.write('late')).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('transcripts', () => {
  test('connectTcp records what we write as client and what we read as server; listenTcp the other way round', async () => {
    const serverSide = new Transcript();
    const clientSide = new Transcript();
    const server = await serve(echoUpper, { transcript: serverSide });
    const conn = await connect(server.port, { transcript: clientSide });
    await conn.writeLine('hi');
    expect(await conn.readLine()).toBe('HI');
    const show = (t: Transcript) => t.entries.map((e) => `${e.direction}:${Buffer.from(e.bytes).toString()}`);
    expect(show(clientSide)).toEqual(['client:hi\r\n', 'server:HI\r\n']);
    expect(show(serverSide)).toEqual(['client:hi\r\n', 'server:HI\r\n']);
  });
});
