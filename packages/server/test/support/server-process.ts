import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const SERVER_ENTRY = fileURLToPath(new URL('../../src/node/main.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON line the process has written to stdout so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `node <entry>` (default: the node server entry) and waits for its "listening" line. */
export async function startServerProcess(
  env: Record<string, string>,
  entry = SERVER_ENTRY,
  cwd?: string,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'off', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let buffered = '';
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line.msg === 'listening') resolve(line.port as number);
        newline = buffered.indexOf('\n');
      }
    });
    void exited.then((code) => reject(new Error(`the server exited with code ${code} before listening`)));
  });
  return { child, port: await port, lines, exited };
}

/** Runs `node <entry>` to its end; for startup failures. */
export async function runToExit(env: Record<string, string>, entry = SERVER_ENTRY, cwd?: string) {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}
