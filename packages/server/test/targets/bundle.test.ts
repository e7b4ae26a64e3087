/**
 * The bundles run as the image runs them: dist/ next to a node_modules that holds only the external packages,
 * and models/ beside them, far from the source tree.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEvent } from '../../src/testing/lambda-events.ts';
import { JSON_HEADERS, MANIFEST, MODEL_DIR, VALID_ROW } from '../support/fixtures.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

let app: string;
let server: ServerProcess | undefined;
beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'glyco-app-'));
  await run(process.execPath, [join(packageDir, 'scripts/build.ts'), join(app, 'dist')]);
  await mkdir(join(app, 'node_modules'));
  await symlink(
    await realpath(join(packageDir, 'node_modules/onnxruntime-node')),
    join(app, 'node_modules/onnxruntime-node'),
  );
  await cp(MODEL_DIR, join(app, 'models', MANIFEST.name, MANIFEST.version), { recursive: true });
}, 60_000);
afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await rm(app, { recursive: true, force: true });
});

describe('the bundled entry points', () => {
  it('dist/server.mjs serves the model found beside it', async () => {
    server = await startServerProcess({}, join(app, 'dist/server.mjs'));
    expect(server.lines.find((line) => line.msg === 'model loaded')).toMatchObject({
      directory: join(app, 'models', MANIFEST.name, MANIFEST.version),
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/predict`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).model).toEqual({ name: MANIFEST.name, version: MANIFEST.version });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('dist/lambda.mjs exports a handler that answers an API Gateway event', async () => {
    const event = lambdaEvent('http-api-v2', {
      method: 'POST',
      path: '/predict',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    const script = `const { handler } = await import(${JSON.stringify(join(app, 'dist/lambda.mjs'))});
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, {})));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, DATABASE_URL: 'off', LOG_LEVEL: 'silent' },
    });
    const result = JSON.parse(stdout);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).model.name).toBe(MANIFEST.name);
  });
});
