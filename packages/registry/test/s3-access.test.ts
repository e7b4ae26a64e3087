import { type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModel, type ObjectStore, openRegistry, promote, publish } from '../src/index.ts';
import { BUCKET, startS3, temporaryDir, writeModelDir } from './support.ts';

/**
 * What S3 answers a caller, by what its IAM policy grants. S3 answers a missing key with 404 only to a caller
 * allowed s3:ListBucket on the bucket, and with 403 otherwise (API reference, "Permissions":
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html); a ListBucket grant conditioned on `s3:prefix` does not count for a GetObject, which carries no
 * prefix. The app's role is such a caller: `packages/infra/src/iam/documents.ts`, appAccessPolicy.
 */
interface Grants {
  /** GetObject/HeadObject allowed on keys starting with this. */
  read: string | undefined;
  /** ListBucket allowed only for listings whose Prefix starts with this (a condition on s3:prefix). */
  listUnder: string | undefined;
}

const accessDenied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'Access Denied',
  });

/** A client of `server` that answers as S3 would answer a caller with these grants. */
function clientWith(newClient: () => S3Client, grants: Grants): S3Client {
  const client = newClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string };
      if (context.commandName === 'ListObjectsV2Command') {
        if (grants.listUnder === undefined || !input.Prefix?.startsWith(grants.listUnder))
          throw accessDenied();
        return next(args);
      }
      if (context.commandName === 'GetObjectCommand' || context.commandName === 'HeadObjectCommand') {
        if (grants.read === undefined || !input.Key?.startsWith(grants.read)) throw accessDenied();
        try {
          return await next(args);
        } catch (error) {
          // No unconditional ListBucket: S3 does not tell this caller that the key is missing.
          if ((error as S3ServiceException).$metadata?.httpStatusCode === 404) throw accessDenied();
          throw error;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'answerAsIam' },
  );
  return client;
}

describe('an S3 registry read by a role that may list only under its prefix (the app on AWS)', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  const uri = `s3://${BUCKET}/models`;
  const clients: S3Client[] = [];
  const storeWith = (grants: Grants) => {
    const client = clientWith(s3.newClient, grants);
    clients.push(client);
    return { store: openRegistry(uri, { s3Client: client }), options: { s3Client: client } };
  };
  const appRole = { read: 'models/', listUnder: 'models/' };

  beforeAll(async () => {
    s3 = await startS3();
    scratch = await temporaryDir('s3-access');
    const admin: ObjectStore = openRegistry(uri, { s3Client: s3.client });
    await publish(admin, await writeModelDir(scratch.dir, { version: '1.0.0', cvAuc: 0.84 }));
    await promote(admin, { name: 'pima-diabetes', version: '1.0.0', alias: 'production' });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await s3.stop();
    await scratch.remove();
  });

  it('reads a missing object as absent, not as access denied', async () => {
    const { store } = storeWith(appRole);
    await expect(store.read('pima-diabetes/aliases/staging.json')).resolves.toBeUndefined();
    await expect(store.exists('pima-diabetes/9.9.9/manifest.json')).resolves.toBe(false);
    await expect(
      store.readIfChanged('pima-diabetes/aliases/staging.json', '"etag"'),
    ).resolves.toBeUndefined();
  });

  it('names the missing alias when the app asks for it', async () => {
    const { options } = storeWith(appRole);
    await expect(fetchModel(`${uri}/pima-diabetes@staging`, scratch.dir, options)).rejects.toThrow(
      /pima-diabetes has no alias "staging"/,
    );
  });

  it('still reads what exists', async () => {
    const { store, options } = storeWith(appRole);
    expect(await store.exists('pima-diabetes/1.0.0/manifest.json')).toBe(true);
    const fetched = await fetchModel(`${uri}/pima-diabetes@production`, `${scratch.dir}/cache`, options);
    expect(fetched.version).toBe('1.0.0');
  });

  it('reports access denied for an object that exists but may not be read (e.g. a bucket policy or key denies it)', async () => {
    const { store } = storeWith({ read: 'models/other/', listUnder: 'models/' });
    await expect(store.read('pima-diabetes/aliases/production.json')).rejects.toThrow(/access denied/);
    await expect(store.exists('pima-diabetes/1.0.0/manifest.json')).rejects.toThrow(/access denied/);
  });

  it('reports access denied when the role may neither read nor list there', async () => {
    const { store } = storeWith({ read: undefined, listUnder: undefined });
    await expect(store.read('pima-diabetes/aliases/staging.json')).rejects.toThrow(/access denied/);
    await expect(store.exists('pima-diabetes/9.9.9/manifest.json')).rejects.toThrow(/access denied/);
  });
});
