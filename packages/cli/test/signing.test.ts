import { createPublicKey, verify } from 'node:crypto';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKms, startFakeKms } from '../../registry/test/fake-kms.ts';
import { temporaryDir } from '../../registry/test/support.ts';
import { glyco, ROOT } from './support/retrain-world.ts';

/**
 * Signing from the command line as a user does it: make a key, sign at train or publish (a local key, or AWS KMS
 * through the SDK's own endpoint setting), and score only what the configured public key signed.
 */

const BUNDLED = join(ROOT, 'models/pima-diabetes/1.1.0');
const ROW = 'pregnant,glucose,pressure,triceps,insulin,mass,pedigree,age\n6,148,72,35,0,33.6,0.627,50\n';

let scratch: Awaited<ReturnType<typeof temporaryDir>>;
let kms: FakeKms;
let dir: string;
let registry: string;
const run = (args: string[], env: Record<string, string> = {}) => glyco(args, env, scratch.dir);

beforeAll(async () => {
  scratch = await temporaryDir('cli-signing');
  kms = await startFakeKms();
  dir = scratch.dir;
  registry = join(dir, 'registry');
  await writeFile(join(dir, 'rows.csv'), ROW);
});
afterAll(async () => {
  await kms.stop();
  await scratch.remove();
});

/** The bundled model as another version, unsigned. */
async function version(v: string): Promise<string> {
  const out = join(dir, 'out', v);
  await cp(BUNDLED, out, { recursive: true });
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  manifest.version = v;
  await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return out;
}

const score = (model: string, env: Record<string, string>) =>
  run(['score', '--model', model, '--data', join(dir, 'rows.csv'), '--out', join(dir, 'scored.csv')], {
    DATABASE_URL: 'off',
    ...env,
  });

describe('glyco keys signing-key create, publish --signing-key and score', { timeout: 60_000 }, () => {
  it('makes a key pair, signs a version at publish, and scores it only under the matching public key', async () => {
    const made = await run(['keys', 'signing-key', 'create', 'signing.pem']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(made.stderr).toMatch(/^the private key sha256:[0-9a-f]{64} is in signing\.pem/);
    expect((await stat(join(dir, 'signing.pem'))).mode & 0o777).toBe(0o600);
    await writeFile(join(dir, 'signing.pub'), made.stdout);
    expect(await run(['keys', 'signing-key', 'create', 'signing.pem'])).toMatchObject({
      code: 1,
      stderr: 'glyco: keys: signing.pem exists; a signing key is never overwritten\n',
    });
    const other = await run(['keys', 'signing-key', 'create', 'other.pem']);
    await writeFile(join(dir, 'other.pub'), other.stdout);

    const published = await run([
      'publish',
      await version('2.0.0'),
      '--signing-key',
      'signing.pem',
      '--registry',
      registry,
    ]);
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/\nsigned: manifest\.json\.sig by sha256:[0-9a-f]{64}\n$/);

    const model = `file://${registry}/pima-diabetes/2.0.0`;
    expect((await score(model, { MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'signing.pub') })).code).toBe(0);
    expect(await score(model, { MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'other.pub') })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^glyco: score: \S+\/pima-diabetes\/2\.0\.0\/manifest\.json: its ED25519 signature by sha256:\w+ does not verify under the configured MODEL_SIGNING_PUBLIC_KEY/,
      ),
    });
  });

  it('refuses to score an unsigned version when a key is configured, and scores it when none is', async () => {
    const published = await run(['publish', await version('3.0.0'), '--registry', registry]);
    expect(published.stdout).toContain('\nsigned: no (pass --signing-key or --kms-signing-key)');
    const model = `file://${registry}/pima-diabetes/3.0.0`;
    expect(await score(model, { MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'signing.pub') })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/refusing an unsigned model\n$/),
    });
    expect((await score(model, {})).code).toBe(0);
  });

  it('signs with AWS KMS when GLYCO_KMS_SIGNING_KEY names a key, through the SDK chain (AWS_ENDPOINT_URL_KMS)', async () => {
    const out = await version('4.0.0');
    const manifest = await readFile(join(out, 'manifest.json'));
    kms.expectMessage(manifest);
    const published = await run(['publish', out, '--registry', registry], {
      GLYCO_KMS_SIGNING_KEY: 'alias/glyco-test-signing',
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDPIPELINE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
    });
    expect(published.stderr).toBe('');
    expect(published.stdout).toMatch(new RegExp(`\\nsigned: manifest\\.json\\.sig by ${kms.keyArn}\\n$`));
    const signature = JSON.parse(
      await readFile(join(registry, 'pima-diabetes/4.0.0/manifest.json.sig'), 'utf8'),
    );
    expect(verify('sha256', manifest, kms.publicKey, Buffer.from(signature.signature, 'base64'))).toBe(true);
    const pem = kms.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(createPublicKey(pem).asymmetricKeyType).toBe('ec');
    expect(
      (await score(`file://${registry}/pima-diabetes/4.0.0`, { MODEL_SIGNING_PUBLIC_KEY: pem })).code,
    ).toBe(0);
  });

  it('refuses two signing keys, and a signing key that is not one, in one line', async () => {
    const out = await version('5.0.0');
    expect(
      await run([
        'publish',
        out,
        '--signing-key',
        'signing.pem',
        '--kms-signing-key',
        'alias/x',
        '--registry',
        registry,
      ]),
    ).toMatchObject({
      code: 2,
      stderr: 'glyco: publish: give one signing key: --signing-key (a file) or --kms-signing-key (AWS KMS)\n',
    });
    expect(await run(['publish', out, '--signing-key', 'signing.pub', '--registry', registry])).toMatchObject(
      {
        code: 1,
        stderr: expect.stringMatching(/^glyco: publish: signing\.pub is not a PEM private key/),
      },
    );
  });

  it('glyco sign signs a version published unsigned, in place, so that it loads', async () => {
    await run(['publish', await version('7.0.0'), '--registry', registry]);
    const model = `file://${registry}/pima-diabetes/7.0.0`;
    const trust = { MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'signing.pub') };
    expect((await score(model, trust)).code).toBe(1);
    const signed = await run([
      'sign',
      'pima-diabetes',
      '7.0.0',
      '--signing-key',
      'signing.pem',
      '--registry',
      registry,
    ]);
    expect(signed.stdout).toMatch(
      /^signed pima-diabetes 7\.0\.0 in .*: manifest\.json\.sig by sha256:[0-9a-f]{64}\n$/,
    );
    expect((await score(model, trust)).code).toBe(0);
    expect(await run(['sign', 'pima-diabetes', '7.0.0', '--registry', registry])).toMatchObject({
      code: 2,
      stderr: 'glyco: sign: give the key to sign with: --signing-key <pem> or --kms-signing-key <id>\n',
    });
  });

  it('train --signing-key writes the signature beside the model, and publish carries it', {
    timeout: 120_000,
  }, async () => {
    const trained = await run([
      'train',
      '--data',
      join(ROOT, 'data/pima-indians-diabetes.csv'),
      '--target',
      'diabetes',
      '--name',
      'pima-diabetes',
      '--version',
      '6.0.0',
      '--algorithm',
      'logreg',
      '--folds',
      '2',
      '--out',
      join(dir, 'trained'),
      '--signing-key',
      'signing.pem',
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stderr).toMatch(/glyco: signed .*6\.0\.0\/manifest\.json\.sig by sha256:/);
    const published = await run([
      'publish',
      join(dir, 'trained/pima-diabetes/6.0.0'),
      '--registry',
      registry,
    ]);
    expect(published.stdout).toMatch(/\nsigned: manifest\.json\.sig by sha256:/);
    const model = `file://${registry}/pima-diabetes/6.0.0`;
    expect((await score(model, { MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'signing.pub') })).code).toBe(0);
  });
});
