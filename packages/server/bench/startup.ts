import { spawn } from 'node:child_process';
import { request } from 'node:http';

/** POSTs `body` to /predict; resolves with the status, or undefined while nothing listens yet. */
function tryPredict(port: number, body: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/**
 * Milliseconds from spawning `node <args>` in `cwd` to the first 200 from `/predict` (polled every
 * millisecond), so module loading, model verification, session creation and the first request's warm-up all
 * count. The prediction log is the embedded one, as `pnpm start` has it, under `cwd`.
 */
export async function measureStartup(
  args: string[],
  port: number,
  body: string,
  cwd: string,
): Promise<number> {
  const started = performance.now();
  const { DATABASE_URL: _, ...env } = process.env;
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const command = `node ${args.join(' ')}`;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${command} exited with code ${child.exitCode} before answering`);
      if ((await tryPredict(port, body)) === 200) return performance.now() - started;
      if (performance.now() - started > 10_000)
        throw new Error(`${command} did not answer /predict within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
