import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256Hex } from '@glyco/contract';
import { openRegistry, promote, publish } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { ModelLoadError } from '../../src/model/model-load-error.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { bundledModelAs, temporaryDir, until } from '../registry/support.ts';
import { JSON_HEADERS, MANIFEST, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT, resultBody } from '../support/lambda-events.ts';
import { runToExit } from '../support/server-process.ts';

/**
 * With MODEL_SIGNING_PUBLIC_KEY set, a model loads only if its manifest is signed by that key: at startup of the
 * node server and of the Lambda function, and on a hot swap. The signatures here are made with node:crypto
 * directly, as a signer writes them (`manifest.json.sig`: algorithm, keyId, base64 signature).
 */

const LAMBDA_ENTRY = fileURLToPath(new URL('../../src/lambda/main.ts', import.meta.url));
const trustedKey = generateKeyPairSync('ed25519');
const otherKey = generateKeyPairSync('ed25519');
const TRUST = {
  MODEL_SIGNING_PUBLIC_KEY: trustedKey.publicKey.export({ type: 'spki', format: 'pem' }) as string,
};

async function signDir(dir: string, privateKey: KeyObject, keyId: string): Promise<string> {
  const manifest = await readFile(join(dir, 'manifest.json'));
  const signature = sign(null, manifest, privateKey).toString('base64');
  await writeFile(join(dir, 'manifest.json.sig'), JSON.stringify({ algorithm: 'ED25519', keyId, signature }));
  return dir;
}

let scratch: Awaited<ReturnType<typeof temporaryDir>>;
const dirs = {} as Record<'signed' | 'unsigned' | 'otherKey' | 'swapped', string>;

beforeAll(async () => {
  scratch = await temporaryDir('signed-models');
  const out = (name: string) => bundledModelAs(join(scratch.dir, name), MANIFEST.version);
  dirs.signed = await signDir(await out('signed'), trustedKey.privateKey, 'trusted');
  dirs.unsigned = await out('unsigned');
  dirs.otherKey = await signDir(await out('other-key'), otherKey.privateKey, 'someone-else');
  // Someone who can write the registry but not sign replaces the model and its sha256 in the signed manifest.
  dirs.swapped = await signDir(await out('swapped'), trustedKey.privateKey, 'trusted');
  const model = await readFile(join(dirs.swapped, 'model.onnx'));
  model[model.length - 1]! ^= 0x01;
  const manifest = JSON.parse(await readFile(join(dirs.swapped, 'manifest.json'), 'utf8'));
  manifest.onnx.sha256 = sha256Hex(model);
  await writeFile(join(dirs.swapped, 'model.onnx'), model);
  await writeFile(join(dirs.swapped, 'manifest.json'), JSON.stringify(manifest, null, 2));
});
afterAll(() => scratch?.remove());

const refusals = [
  [
    'an unsigned model',
    'unsigned',
    /manifest\.json: no manifest\.json\.sig beside it, .*refusing an unsigned model$/,
  ],
  [
    'a model signed by another key',
    'otherKey',
    /its ED25519 signature by someone-else does not verify under/,
  ],
  [
    'a model and manifest replaced together after signing',
    'swapped',
    /signed by another key, or the manifest was changed after signing; refusing a tampered or wrongly signed model$/,
  ],
] as const;

describe.each([
  ['the node server', undefined],
  ['the Lambda function (init fails)', LAMBDA_ENTRY],
])('%s, with MODEL_SIGNING_PUBLIC_KEY set, refuses to start with one line', (_target, entry) => {
  it.each(refusals)('on %s', async (_case, dir, message) => {
    const { code, stdout } = await runToExit({ ...TRUST, MODEL_URI: dirs[dir] }, entry);
    expect(code).toBe(1);
    const [line] = stdout.trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({
      level: 'error',
      error: 'ModelLoadError',
      msg: expect.stringMatching(message),
    });
  });
});

describe('loading a model at startup', () => {
  it('serves a model signed by the trusted key, and says signatures are checked', async () => {
    const runtime = await testRuntime({ env: { ...TRUST, MODEL_URI: dirs.signed } });
    try {
      expect(runtime.models.current().manifest.version).toBe(MANIFEST.version);
      runtime.logger.flush();
      expect(
        runtime.lines.find((line) => String(line.msg).startsWith('model signatures checked')),
      ).toMatchObject({
        trusted_keys: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)],
      });
    } finally {
      await runtime.models.close();
    }
  });

  it('without a key configured, loads an unsigned model as before and logs one line that models are not signature-checked', async () => {
    const runtime = await testRuntime({ env: { MODEL_URI: dirs.unsigned } });
    try {
      expect(runtime.models.current().manifest.version).toBe(MANIFEST.version);
      runtime.logger.flush();
      expect(runtime.lines.filter((line) => String(line.msg).includes('signature'))).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'models are not signature-checked: MODEL_SIGNING_PUBLIC_KEY is not set (their sha256 still is)',
        }),
      ]);
    } finally {
      await runtime.models.close();
    }
  });

  it('refuses with the ModelLoadError a tampered model gets, in process too', async () => {
    await expect(testRuntime({ env: { ...TRUST, MODEL_URI: dirs.otherKey } })).rejects.toThrow(
      ModelLoadError,
    );
  });
});

// A hang guard above until()'s 20 s deadline, as in the other alias-following tests.
describe('a Lambda function following an alias, with MODEL_SIGNING_PUBLIC_KEY set', {
  timeout: 30_000,
}, () => {
  let runtime: Runtime & { lines: Record<string, unknown>[] };
  const registry = () => pathToFileURL(join(scratch.dir, 'registry')).href;

  beforeAll(async () => {
    const store = openRegistry(registry());
    const version = async (v: string, key: KeyObject) =>
      publish(store, await signDir(await bundledModelAs(join(scratch.dir, 'follow'), v), key, 'k'));
    await version('1.0.0', trustedKey.privateKey);
    await version('2.0.0', otherKey.privateKey);
    await version('3.0.0', trustedKey.privateKey);
    await promote(store, { name: MANIFEST.name, version: '1.0.0', alias: 'production' });
    runtime = await testRuntime({
      env: {
        ...TRUST,
        MODEL_URI: `${registry()}/${MANIFEST.name}@production`,
        MODEL_POLL_INTERVAL_SECONDS: '0.1',
      },
    });
  });
  afterAll(async () => {
    await runtime?.follower?.stop();
    await runtime?.models.close();
  });

  async function invoke() {
    const event = lambdaEvent('http-api-v2', {
      method: 'POST',
      path: '/predict',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    const result = (await createLambdaHandler(runtime)(event, LAMBDA_CONTEXT)) as LambdaHttpResult;
    return { status: result.statusCode, version: JSON.parse(resultBody(result)).model.version as string };
  }

  async function swaps(outcome: string): Promise<number> {
    const text = await (await runtime.app.request('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`glyco_model_swaps_total{outcome="${outcome}"}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  it('refuses a version signed by another key and keeps serving the old one; then swaps to a well-signed one', async () => {
    expect(await invoke()).toEqual({ status: 200, version: '1.0.0' });
    const store = openRegistry(registry());
    await promote(store, {
      name: MANIFEST.name,
      version: '2.0.0',
      alias: 'production',
      force: true,
      reason: 'test',
    });
    await until('the refusal', () => runtime.models.alias()?.state === 'refused');
    expect(runtime.models.alias()).toEqual({ name: 'production', version: '2.0.0', state: 'refused' });
    expect(await invoke()).toEqual({ status: 200, version: '1.0.0' });
    expect(await swaps('refused')).toBe(1);
    runtime.logger.flush();
    expect(runtime.lines.filter((line) => line.level === 'error').at(-1)).toMatchObject({
      msg: 'refused the version the model alias points to; the served version stays',
      version: '2.0.0',
      serving: '1.0.0',
      reason: expect.stringMatching(
        /pima-diabetes\/2\.0\.0\/manifest\.json: its ED25519 signature by k does not verify/,
      ),
    });

    await promote(store, {
      name: MANIFEST.name,
      version: '3.0.0',
      alias: 'production',
      force: true,
      reason: 'test',
    });
    await until('the swap', async () => (await invoke()).version === '3.0.0');
    expect(await swaps('applied')).toBe(1);
  });
});
