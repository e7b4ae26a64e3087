import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const ENV = { ...process.env, DATABASE_URL: 'off', HOST: '', PORT: '', MODEL_URI: '' };

function glycoServe(args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, 'serve', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: ENV,
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('glyco serve with bad input: one line of error, non-zero exit, no stack trace', () => {
  it.each([
    [['--port', 'http'], 2, 'glyco: --port must be a whole number from 0 to 65535 (got "http")\n'],
    [['--host', 'two words'], 2, 'glyco: --host must be a host name or an IP address (got "two words")\n'],
    [
      ['--model', '/no/such/model'],
      1,
      'glyco: no model at /no/such/model: the directory does not exist or cannot be read\n',
    ],
  ])('glyco serve %j', (args, status, stderr) => {
    expect(glycoServe(args)).toMatchObject({ status, stderr });
  });

  it('rejects an unknown option', () => {
    const { status, stderr } = glycoServe(['--bogus']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^glyco: Unknown option '--bogus'/);
  });
});

describe('glyco serve', () => {
  it('serves the bundled model on this machine only, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], { cwd: ROOT, env: ENV });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const match = /serving pima-diabetes \S+ on (http:\/\/localhost:\d+)/.exec(stderr);
        if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"listening","host":"127.0.0.1"');
    expect(stdout).toContain(
      '"msg":"authentication off: no API_KEYS* or OIDC_ISSUER is set, and only this machine can connect"',
    );
  });
});
