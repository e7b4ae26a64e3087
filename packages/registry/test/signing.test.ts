import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyFingerprint, sha256Hex } from '@glyco/contract';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSigningKeyPair,
  fetchModel,
  kmsSigner,
  localSigner,
  type ObjectStore,
  openRegistry,
  publish,
  RegistryError,
} from '../src/index.ts';
import { type FakeKms, startFakeKms } from './fake-kms.ts';
import { type RegistryBackend, registryBackends, temporaryDir, writeModelDir } from './support.ts';

const SIG = 'pima-diabetes/1.0.0/manifest.json.sig';
const MANIFEST = 'pima-diabetes/1.0.0/manifest.json';
const MODEL = 'pima-diabetes/1.0.0/model.onnx';

describe.each(Object.keys(registryBackends))('signed versions in a registry at %s', (kind) => {
  let backend: RegistryBackend;
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  let uri: string;
  let store: ObjectStore;
  let artifacts: string;
  let cacheDir: string;
  const keys = createSigningKeyPair();
  const trusted = [createPublicKey(keys.publicKeyPem)];
  const signer = localSigner(keys.privateKeyPem, 'signing.pem');

  beforeAll(async () => {
    backend = await registryBackends[kind]!();
    scratch = await temporaryDir('signing');
  });
  afterAll(async () => {
    await backend.stop();
    await scratch.remove();
  });
  beforeEach((context) => {
    uri = backend.newRegistryUri();
    store = openRegistry(uri, backend.options);
    artifacts = join(scratch.dir, context.task.id, 'out');
    cacheDir = join(scratch.dir, context.task.id, 'cache');
  });

  const fetchVersion = () =>
    fetchModel(`${uri}/pima-diabetes/1.0.0`, cacheDir, {
      ...backend.options,
      trusted,
    });

  it('publish signs the exact manifest bytes with Ed25519, and a fetch that requires the key accepts it', async () => {
    const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
    const result = await publish(store, dir, { signer });
    expect(result.signedBy).toBe(keys.keyId);

    const signature = JSON.parse(new TextDecoder().decode((await store.read(SIG))!.body));
    expect(signature).toEqual({ algorithm: 'ED25519', keyId: keys.keyId, signature: expect.any(String) });
    const manifest = await readFile(join(dir, 'manifest.json'));
    expect(verify(null, manifest, trusted[0]!, Buffer.from(signature.signature, 'base64'))).toBe(true);

    const fetched = await fetchVersion();
    expect(fetched.version).toBe('1.0.0');
    // The signature travels with the version into the cache, where the server verifies it again.
    const local = await readFile(join(fetched.dir, 'manifest.json.sig'));
    expect(Buffer.from(local)).toEqual(Buffer.from((await store.read(SIG))!.body));
  });

  it('refuses an unsigned version when a key is required, and serves it when none is (as before signing)', async () => {
    await publish(store, await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 }));
    await expect(fetchVersion()).rejects.toThrow(/refusing an unsigned model$/);
    const unchecked = await fetchModel(`${uri}/pima-diabetes/1.0.0`, cacheDir, backend.options);
    expect(unchecked.version).toBe('1.0.0');
  });

  it('refuses a version signed by another key', async () => {
    const other = localSigner(createSigningKeyPair().privateKeyPem, 'other.pem');
    await publish(store, await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 }), {
      signer: other,
    });
    const refusal = fetchVersion();
    await expect(refusal).rejects.toThrow(RegistryError);
    await expect(refusal).rejects.toThrow(/does not verify under the configured MODEL_SIGNING_PUBLIC_KEY/);
  });

  it('refuses a model and manifest replaced together by someone who can write the registry but not sign', async () => {
    const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
    await publish(store, dir, { signer });
    const evil = new TextEncoder().encode('another model');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.onnx.sha256 = sha256Hex(evil);
    await store.write(MODEL, evil, { contentType: 'application/octet-stream' });
    await store.write(MANIFEST, new TextEncoder().encode(JSON.stringify(manifest, null, 2)), {
      contentType: 'application/json',
    });
    await expect(fetchVersion()).rejects.toThrow(
      /signed by another key, or the manifest was changed after signing/,
    );
  });

  it('refuses a cached copy that fails the signature and downloads the version again', async () => {
    await publish(store, await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 }), { signer });
    const first = await fetchVersion();
    if (kind === 'file://') return; // a local registry is used in place: there is no cache
    await writeFile(join(first.dir, 'manifest.json.sig'), '{}');
    const again = await fetchVersion();
    expect(JSON.parse(await readFile(join(again.dir, 'manifest.json.sig'), 'utf8')).keyId).toBe(keys.keyId);
  });

  it('uploads a signature the trainer left in the directory when publish is given no signer', async () => {
    const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
    const signature = await signer.sign(await readFile(join(dir, 'manifest.json')));
    await writeFile(join(dir, 'manifest.json.sig'), JSON.stringify(signature));
    const result = await publish(store, dir);
    expect(result.signedBy).toBe(keys.keyId);
    expect((await fetchVersion()).version).toBe('1.0.0');
  });
});

describe('the KMS signer, against a fake KMS on loopback reached through the SDK', () => {
  let kms: FakeKms;
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;

  beforeAll(async () => {
    kms = await startFakeKms();
    scratch = await temporaryDir('kms');
  });
  afterAll(async () => {
    await kms.stop();
    await scratch.remove();
  });

  it('signs the SHA-256 digest of the manifest with ECDSA_SHA_256, and the signature verifies with the public key alone', async () => {
    const registry = join(scratch.dir, 'registry-1');
    const store = openRegistry(registry);
    const dir = await writeModelDir(join(scratch.dir, 'out-1'), { version: '1.0.0', cvAuc: 0.84 });
    const manifest = await readFile(join(dir, 'manifest.json'));
    kms.expectMessage(manifest);

    const result = await publish(store, dir, { signer: kmsSigner('alias/glyco-test-signing', kms.client()) });
    expect(result.signedBy).toBe(kms.keyArn);

    const sign = kms.requests.find((request) => request.operation === 'Sign')!;
    expect(sign.body).toEqual({
      KeyId: 'alias/glyco-test-signing',
      Message: createHash('sha256').update(manifest).digest('base64'),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    // A signed request from the SDK: SigV4 for the kms service, the JSON 1.1 protocol.
    expect(sign.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDPIPELINE\/\d{8}\/eu-west-1\/kms\/aws4_request/,
    );
    expect(sign.headers['content-type']).toBe('application/x-amz-json-1.1');

    const file = JSON.parse(new TextDecoder().decode((await store.read(SIG))!.body));
    expect(file.algorithm).toBe('ECDSA_SHA_256');
    expect(verify('sha256', manifest, kms.publicKey, Buffer.from(file.signature, 'base64'))).toBe(true);
    const fetched = await fetchModel(`${registry}/pima-diabetes/1.0.0`, join(scratch.dir, 'cache'), {
      trusted: [kms.publicKey],
    });
    expect(fetched.version).toBe('1.0.0');
    expect(keyFingerprint(kms.publicKey)).toMatch(/^sha256:/);
  });

  it('a publish interrupted after the signature was uploaded is run again: the signature left is kept', async () => {
    const registry = join(scratch.dir, 'registry-2');
    const store = openRegistry(registry);
    const dir = await writeModelDir(join(scratch.dir, 'out-2'), { version: '1.0.0', cvAuc: 0.84 });
    const manifest = await readFile(join(dir, 'manifest.json'));
    kms.expectMessage(manifest);
    const signer = kmsSigner(kms.keyArn, kms.client());
    const left = new TextEncoder().encode(JSON.stringify(await signer.sign(manifest)));
    await store.write(SIG, left, { contentType: 'application/json' });

    await publish(store, dir, { signer });
    expect(Buffer.from((await store.read(SIG))!.body)).toEqual(Buffer.from(left));
  });

  it('a principal the key policy denies kms:Sign cannot publish, and nothing is published', async () => {
    const registry = join(scratch.dir, 'registry-3');
    const store = openRegistry(registry);
    const dir = await writeModelDir(join(scratch.dir, 'out-3'), { version: '1.0.0', cvAuc: 0.84 });
    kms.expectMessage(await readFile(join(dir, 'manifest.json')));
    kms.denySign('AKIDWORKLOAD');
    const publishing = publish(store, dir, { signer: kmsSigner(kms.keyArn, kms.client('AKIDWORKLOAD')) });
    await expect(publishing).rejects.toThrow(
      `KMS Sign with ${kms.keyArn} failed: User AKIDWORKLOAD is not authorized to perform: kms:Sign`,
    );
    expect(await store.exists(MANIFEST)).toBe(false);
  });

  it('names the KMS key and what KMS said when the key does not exist', async () => {
    const dir = await writeModelDir(join(scratch.dir, 'out-4'), { version: '1.0.0', cvAuc: 0.84 });
    kms.expectMessage(await readFile(join(dir, 'manifest.json')));
    const missing = kmsSigner('alias/nope', kms.client());
    await expect(
      publish(openRegistry(join(scratch.dir, 'registry-4')), dir, { signer: missing }),
    ).rejects.toThrow("KMS Sign with alias/nope failed: Key 'alias/nope' does not exist");
  });
});
