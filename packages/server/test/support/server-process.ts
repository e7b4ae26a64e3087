import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const SERVER_ENTRY = fileURLToPath(new URL('../../src/node/main.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON line the process has written to stdout so far. */
  lines: Record<string, unknown>[];
  /** Every other line it has written, to stdout or stderr (they also go on to the test's stderr). */
  strayLines: string[];
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const strayLines: string[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const port = new Promise<number>((resolve, reject) => {
    eachLine(child.stdout!, (text) => {
      const line = jsonLine(text);
      if (!line) return strayLines.push(text);
      lines.push(line);
      if (line.msg === 'listening') resolve(line.port as number);
    });
    eachLine(child.stderr!, (text) => {
      strayLines.push(text);
      process.stderr.write(`${text}\n`);
    });
    void exited.then((code) => reject(new Error(`the server exited with code ${code} before listening`)));
  });
  return { child, port: await port, lines, strayLines, exited };
}

function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
}

function jsonLine(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
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
