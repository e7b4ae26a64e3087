import { afterEach, describe, expect, it } from 'vitest';
import { VALID_ROW } from '../support/fixtures.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { openSocket as open, readResponse } from '../support/sockets.ts';

let server: ServerProcess | undefined;
afterEach(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SIGTERM', () => {
  it('stops accepting, finishes the request in flight, closes idle connections and exits 0', async () => {
    server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: '20000' });
    const body = JSON.stringify(VALID_ROW);
    const head = `POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;

    // An idle keep-alive connection: one request answered, the connection left open.
    const idle = await open(server.port);
    idle.write(head + body);
    expect((await readResponse(idle)).status).toBe(200);
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));

    // A request in flight: headers and half of the body sent before SIGTERM, the rest after.
    const inFlight = await open(server.port);
    inFlight.write(head + body.slice(0, 20));
    await sleep(100);
    const started = performance.now();
    server.child.kill('SIGTERM');
    await sleep(200);

    await expect(open(server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await idleClosed;

    inFlight.write(body.slice(20));
    const answer = await readResponse(inFlight);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ model: { name: 'pima-diabetes' } });

    expect(await server.exited).toBe(0);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(server.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['signal received', 'shutting down: draining in-flight requests', 'stopped']),
    );
  });

  it('closes connections still open after SHUTDOWN_TIMEOUT_MS and exits 0', async () => {
    server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: '300' });
    const stalled = await open(server.port);
    stalled.write(
      'POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    await sleep(100);
    const closed = new Promise((resolve) => stalled.once('close', resolve));
    server.child.kill('SIGTERM');
    await closed;
    expect(await server.exited).toBe(0);
  });
});
