import { connect, type Socket } from 'node:net';

/** A plain TCP connection to the server on loopback, for HTTP/1.1 written by hand. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads one HTTP response from `socket` (the body is small JSON); resolves with status line and body. */
export function readResponse(socket: Socket): Promise<{ status: number; body: string; headers: string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = data.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(headers)?.[1]);
      const body = data.slice(end + 4);
      if (Buffer.byteLength(body) < length) return;
      socket.off('data', onData);
      resolve({ status: Number(headers.split(' ')[1]), body, headers });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}
