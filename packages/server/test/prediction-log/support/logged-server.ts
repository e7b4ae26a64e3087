import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { exampleRow } from '../../../src/model/example-row.ts';
import { MANIFEST } from '../../support/fixtures.ts';

const SERVER = new URL('../fixtures/server-with-log.ts', import.meta.url).pathname;
const body = JSON.stringify(exampleRow(MANIFEST));

export interface LoggedServer {
  process: ChildProcess;
  base: string;
  exited: Promise<number | null>;
}

/** The node server with a prediction log (see fixtures/server-with-log.ts), on loopback, once it listens. */
export async function startLoggedServer(env: Record<string, string>): Promise<LoggedServer> {
  const server = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`the server exited with ${code} before listening`)));
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) resolve(entry.port);
    });
  });
  return { process: server, base: `http://127.0.0.1:${port}`, exited };
}

/** What a load saw: the request ids answered 200, and every other outcome (status and body, or the error). */
export interface Load {
  answered: string[];
  failures: string[];
  /** Resolves once every client has stopped. */
  done: Promise<void>;
}

/** `clients` clients sending single-row predictions one after another, until `stop()` says so. */
export function predictLoad(base: string, clients: number, stop: (load: Load) => boolean): Load {
  const load = { answered: [], failures: [] } as unknown as Load;
  const client = async () => {
    while (!stop(load)) {
      try {
        const response = await fetch(`${base}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const result = (await response.json()) as { request_id: string };
        if (response.status === 200) load.answered.push(result.request_id);
        else load.failures.push(`${response.status} ${JSON.stringify(result)}`);
      } catch (error) {
        load.failures.push(String(error));
      }
    }
  };
  load.done = Promise.all(Array.from({ length: clients }, client)).then(() => {});
  return load;
}
