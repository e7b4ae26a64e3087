import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { openSocket, readResponse } from '../support/sockets.ts';

/** Clients that misbehave at the connection level, over real sockets on loopback to the node server process. */
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ MAX_BODY_BYTES: '4096' });
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

const head = (headers: string) =>
  `POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}\r\n\r\n`;

async function requestsCounted(status: number): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = new RegExp(
    `^glyco_http_requests_total\\{method="POST",route="/predict",status="${status}"\\} (\\d+)$`,
    'm',
  );
  return Number(line.exec(metrics)?.[1] ?? 0);
}

const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('a client that misbehaves on the connection', () => {
  it('closing the connection mid-body is counted as a client abort (499), with one log line and no stack', async () => {
    const socket = await openSocket(server.port);
    socket.write(`${head('Content-Length: 1000')}{"pregnant": 2, "glu`);
    // The server is reading the body when the client goes away.
    await expect
      .poll(() => server.lines.some((line) => line.msg === 'request'), { timeout: 200 })
      .toBe(false);
    socket.destroy();
    await expect.poll(() => requestsCounted(499), { timeout: 4000 }).toBe(1);
    expect(await requestsCounted(500)).toBe(0);
    const requestId = server.lines.find((line) => line.status === 499)?.request_id;
    expect(server.lines.filter((line) => line.request_id === requestId)).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request', route: '/predict', status: 499 }),
    ]);
    expect(server.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(server.strayLines).toEqual([]);
  });

  it('a chunked body over the limit gets a 413 that closes the connection instead of promising keep-alive', async () => {
    const socket = await openSocket(server.port);
    const socketClosed = closed(socket);
    socket.write(head('Transfer-Encoding: chunked'));
    const chunk = `{"pad": "${'x'.repeat(2000)}"}`;
    const sending = setInterval(() => {
      if (!socket.destroyed) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`, () => {});
    }, 5);
    socket.on('error', () => {}); // the server closing while the client still writes
    try {
      const answer = await readResponse(socket);
      expect(answer.status).toBe(413);
      expect(answer.headers).toMatch(/^connection: close$/im);
      expect(answer.headers).not.toMatch(/keep-alive/i);
      // The server ends the connection itself, while the client is still sending.
      await socketClosed;
    } finally {
      clearInterval(sending);
    }
  });

  it('a body declared over the limit gets a 413 that closes the connection, unread', async () => {
    const socket = await openSocket(server.port);
    const socketClosed = closed(socket);
    socket.on('error', () => {});
    socket.write(`${head('Content-Length: 10000000')}{"pad": "`);
    const answer = await readResponse(socket);
    expect(answer.status).toBe(413);
    expect(answer.headers).toMatch(/^connection: close$/im);
    await socketClosed;
  });

  it('a small body answered unread keeps the connection open for the next request', async () => {
    const socket = await openSocket(server.port);
    const body = 'age=5';
    const request = `POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(request);
    expect((await readResponse(socket)).status).toBe(415);
    socket.write(request);
    const second = await readResponse(socket);
    expect(second.status).toBe(415);
    expect(second.headers).toMatch(/^connection: keep-alive$/im);
    socket.destroy();
  });
});
