import { join } from 'node:path';
import { type ObjectStore, openRegistry, promote, publish, rollback } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_HEADERS, MANIFEST, VALID_ROW } from '../support/fixtures.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { BUCKET, bundledModelAs, moveAliasByHand, s3Env, startS3, temporaryDir, until } from './support.ts';

/**
 * The node server as the image runs it, following `production` in an S3 registry (s3rver on loopback) through
 * promotions, a rollback, a tampered object and a breaking schema change.
 */

const NAME = MANIFEST.name;
const REGISTRY = `s3://${BUCKET}/models`;
const CLIENTS = 4;
const LOAD_MS = 2_000;

let s3: Awaited<ReturnType<typeof startS3>>;
let scratch: Awaited<ReturnType<typeof temporaryDir>>;
let store: ObjectStore;
let server: ServerProcess;
let base: string;

async function publishVersion(version: string, edit?: Parameters<typeof bundledModelAs>[2]) {
  await publish(store, await bundledModelAs(join(scratch.dir, 'out'), version, edit));
}

beforeAll(async () => {
  s3 = await startS3();
  scratch = await temporaryDir('hot-swap');
  store = openRegistry(REGISTRY, { s3Client: s3.client });
  await publishVersion('1.0.0');
  await promote(store, { name: NAME, version: '1.0.0', alias: 'production' });
  server = await startServerProcess({
    ...(s3Env(s3.endpoint) as Record<string, string>),
    MODEL_URI: `${REGISTRY}/${NAME}@production`,
    MODEL_CACHE_DIR: join(scratch.dir, 'cache'),
    MODEL_POLL_INTERVAL_SECONDS: '0.1',
  });
  base = `http://127.0.0.1:${server.port}`;
}, 20_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await s3?.stop();
  await scratch?.remove();
});

async function ready() {
  return (await fetch(`${base}/ready`)).json() as Promise<{
    model: { version: string; alias?: { name: string; version: string; state: string } };
  }>;
}

async function metric(line: RegExp): Promise<string | undefined> {
  return (await (await fetch(`${base}/metrics`)).text()).split('\n').find((text) => line.test(text));
}

/** How many swaps the server has counted with `outcome` so far: each step asserts its own, as a difference. */
async function swaps(outcome: 'applied' | 'refused'): Promise<number> {
  const line = await metric(new RegExp(`^glyco_model_swaps_total\\{outcome="${outcome}"\\}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function predictedVersion(): Promise<{ status: number; version?: string }> {
  const response = await fetch(`${base}/predict`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(VALID_ROW),
  });
  const body = (await response.json()) as { model?: { version: string } };
  return { status: response.status, version: body.model?.version };
}

/**
 * The steps of one story, in order: each starts where the one before left the alias. The timeout guards against
 * a hang: a step publishes a model to s3rver and waits for a 100 ms poll to see it, under a second on a quiet
 * machine, but CI saw 5 s pass under a load average of 6 with nothing hung.
 */
describe('a server following an S3 alias', { timeout: 30_000 }, () => {
  it('starts on the version the alias points to, and says which alias it follows', async () => {
    expect((await ready()).model).toEqual({
      name: NAME,
      version: '1.0.0',
      alias: { name: 'production', version: '1.0.0', state: 'serving' },
    });
    expect(server.lines.find((line) => line.msg === 'following model alias')).toMatchObject({
      alias: `${NAME}@production`,
      version: '1.0.0',
      poll_interval_ms: 100,
    });
  });

  it('swaps to a promoted version under a steady stream of requests, with no request failing', async () => {
    const applied = await swaps('applied');
    await publishVersion('2.0.0');
    const answers: { status: number; version?: string }[][] = Array.from({ length: CLIENTS }, () => []);
    const failures: unknown[] = [];
    const started = performance.now();
    const clients = answers.map(async (seen) => {
      while (performance.now() - started < LOAD_MS) {
        try {
          seen.push(await predictedVersion());
        } catch (error) {
          failures.push(error);
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 4));
    await promote(store, { name: NAME, version: '2.0.0', alias: 'production' });
    await Promise.all(clients);

    const all = answers.flat();
    expect(failures).toEqual([]);
    expect(all.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(all.length).toBeGreaterThan(100);
    for (const seen of answers) {
      // Each client sees 1.0.0, then 2.0.0 from the swap on, never 1.0.0 again.
      const versions = seen.map((answer) => answer.version).join(' ');
      expect(versions).toMatch(/^(1\.0\.0 )+(2\.0\.0 ?)+$/);
    }
    expect((await predictedVersion()).version).toBe('2.0.0');
    expect((await ready()).model.alias).toEqual({ name: 'production', version: '2.0.0', state: 'serving' });
    expect(await metric(/^glyco_model_info\{/)).toContain('version="2.0.0"');
    expect(await metric(/^glyco_model_alias_info\{/)).toBe(
      `glyco_model_alias_info{name="${NAME}",alias="production",version="2.0.0"} 1`,
    );
    expect(await swaps('applied')).toBe(applied + 1);
  });

  it('swaps back on a rollback', async () => {
    const applied = await swaps('applied');
    await rollback(store, { name: NAME, alias: 'production' });
    await until('the rollback to be served', async () => (await predictedVersion()).version === '1.0.0');
    expect((await ready()).model.alias).toEqual({ name: 'production', version: '1.0.0', state: 'serving' });
    expect(await swaps('applied')).toBe(applied + 1);
  });

  it('refuses a version whose model.onnx was overwritten in the bucket, and keeps serving', async () => {
    const refused = await swaps('refused');
    await publishVersion('3.0.0');
    const original = (await store.read(`${NAME}/3.0.0/model.onnx`))!.body;
    const tampered = Uint8Array.from(original, (byte, i) => (i === original.length - 1 ? byte ^ 0xff : byte));
    await store.write(`${NAME}/3.0.0/model.onnx`, tampered, { contentType: 'application/octet-stream' });
    await moveAliasByHand(store, NAME, 'production', '3.0.0');

    await until('the refusal', async () => (await ready()).model.alias?.state === 'refused');
    expect((await ready()).model).toEqual({
      name: NAME,
      version: '1.0.0',
      alias: { name: 'production', version: '3.0.0', state: 'refused' },
    });
    expect(await predictedVersion()).toEqual({ status: 200, version: '1.0.0' });
    expect(server.lines.find((line) => line.level === 'error')).toMatchObject({
      alias: `${NAME}@production`,
      version: '3.0.0',
      serving: '1.0.0',
      reason: expect.stringMatching(
        /^s3:\/\/glyco-models\/models\/pima-diabetes\/3\.0\.0\/model\.onnx: sha256 \w{64} does not match the manifest's onnx\.sha256 \w{64}; refusing a tampered or corrupt model$/,
      ),
    });
    expect(await swaps('refused')).toBe(refused + 1);
  });

  it('refuses a version whose features would break the API, and keeps serving', async () => {
    const removed = MANIFEST.features.at(-1)!.name;
    const refused = await swaps('refused');
    await publishVersion('4.0.0', (manifest) => void manifest.features.pop());
    await promote(store, { name: NAME, version: '4.0.0', alias: 'production', force: true, reason: 'test' });

    await until('the refusal', async () => {
      const { alias } = (await ready()).model;
      return alias?.version === '4.0.0' && alias.state === 'refused';
    });
    expect((await ready()).model.version).toBe('1.0.0');
    expect(await predictedVersion()).toEqual({ status: 200, version: '1.0.0' });
    expect(server.lines.filter((line) => line.level === 'error').at(-1)).toMatchObject({
      version: '4.0.0',
      reason: `it would break the API: feature "${removed}" removed`,
    });
    expect(await swaps('refused')).toBe(refused + 1);
  });

  it('stops following on SIGTERM and exits 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });
});
