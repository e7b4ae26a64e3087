import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { RegistryError, WriteConflictError } from './errors.ts';
import type { ObjectStore, StoredObject, WriteCondition } from './store.ts';

/**
 * Client settings for AWS S3 and S3-compatible servers. Credentials, region and endpoint come from the
 * standard SDK chain (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_S3`, roles…). Path-style addressing is
 * on when an endpoint is set in the environment (S3-compatible servers rarely serve virtual-host buckets);
 * `GLYCO_S3_FORCE_PATH_STYLE=true|false` decides explicitly. Checksums only when an operation requires them:
 * S3-compatible servers reject the SDK's default trailing checksums on streamed uploads.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const pathStyle = env.GLYCO_S3_FORCE_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new RegistryError(`GLYCO_S3_FORCE_PATH_STYLE must be true or false, not "${pathStyle}"`);
  }
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return {
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A hung connection must not stall an alias watcher forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000, throwOnRequestTimeout: true },
  };
}

export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client(s3ClientConfig(env));
}

type S3Failure = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };

/** A registry under `s3://<bucket>/<prefix>/`; etags are S3's. */
export class S3Store implements ObjectStore {
  readonly uri: string;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #client: S3Client;

  constructor(location: { bucket: string; prefix: string }, client: S3Client) {
    this.#bucket = location.bucket;
    this.#prefix = location.prefix;
    this.#client = client;
    this.uri = `s3://${location.bucket}/${location.prefix}`;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    const object = await this.#get(key);
    return object === 'unchanged' ? undefined : object;
  }

  readIfChanged(key: string, etag: string): Promise<StoredObject | 'unchanged' | undefined> {
    return this.#get(key, etag);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return true;
    } catch (error) {
      if (status(error) === 404 || (status(error) === 403 && (await this.#listedAsAbsent(key)))) return false;
      throw this.#failure(key, error);
    }
  }

  async write(
    key: string,
    body: Uint8Array,
    options: { contentType: string; condition?: WriteCondition },
  ): Promise<void> {
    const condition = options.condition;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(key),
          Body: body,
          ContentType: options.contentType,
          ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : {}),
          ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
        }),
      );
    } catch (error) {
      // 412: the condition failed; 409: a concurrent conditional write to the same key won.
      const code = status(error);
      if (code === 412 || code === 409)
        throw new WriteConflictError(`${this.uri}/${key} changed or already exists`);
      throw this.#failure(key, error);
    }
  }

  async listKeys(folder: string): Promise<string[]> {
    const prefix = `${this.#key(folder).replace(/\/+$/, '')}/`;
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.#client },
        { Bucket: this.#bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) keys.push(object.Key!.slice(prefix.length));
      }
    } catch (error) {
      throw this.#failure(folder, error);
    }
    return keys.filter((key) => key !== '' && !key.split('/').some((part) => part.startsWith('.')));
  }

  async #get(key: string, ifNoneMatch?: string): Promise<StoredObject | 'unchanged' | undefined> {
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), IfNoneMatch: ifNoneMatch }),
      );
      return { body: await response.Body!.transformToByteArray(), etag: response.ETag ?? '' };
    } catch (error) {
      const code = status(error);
      if (code === 304) return 'unchanged';
      if (code === 404 && (error as S3Failure).name === 'NoSuchKey') return undefined;
      if (code === 403 && (await this.#listedAsAbsent(key))) return undefined;
      throw this.#failure(key, error);
    }
  }

  /**
   * Whether a 403 on reading `key` means that it does not exist. S3 answers a missing key with 404 only to a
   * caller allowed s3:ListBucket on the bucket, and with 403 to any other (API reference, "Permissions":
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, …/API_HeadObject.html); a ListBucket
   * grant conditioned on `s3:prefix`, like the app role's, does not count, since a read carries no prefix. So
   * the key is absent when a listing of exactly that key, which such a role may make, shows none. When the
   * listing is refused as well, or shows the key, the read really was denied.
   */
  async #listedAsAbsent(key: string): Promise<boolean> {
    const fullKey = this.#key(key);
    try {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: fullKey, MaxKeys: 1 }),
      );
      return page.Contents?.[0]?.Key !== fullKey;
    } catch {
      return false;
    }
  }

  #key(key: string): string {
    return key === '' ? this.#prefix : `${this.#prefix}/${key}`;
  }

  #failure(key: string, error: unknown): RegistryError {
    const where = key === '' ? this.uri : `${this.uri}/${key}`;
    return new RegistryError(`${where}: ${describe(error as S3Failure)}`, { cause: error });
  }
}

function status(error: unknown): number | undefined {
  return (error as S3Failure).$metadata?.httpStatusCode;
}

function describe(error: S3Failure): string {
  if (error.name === 'NoSuchBucket') return 'the bucket does not exist';
  if (error.name === 'AccessDenied' || status(error) === 403) return `access denied (${error.message})`;
  if (error.name === 'CredentialsProviderError') return `no AWS credentials found (${error.message})`;
  return `${error.name ?? 'Error'}: ${error.message}`;
}
