import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';

/** One request the fake received: its operation (`Sign`, `GetPublicKey`), headers and JSON body. */
export interface KmsRequest {
  operation: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeKms {
  endpoint: string;
  /** The ARN it answers for, and the key id it accepts (the ARN, its id, or `alias/glyco-test-signing`). */
  keyArn: string;
  /** The key pair KMS would hold: a real ECC_NIST_P256 key of node:crypto. */
  publicKey: KeyObject;
  requests: KmsRequest[];
  /**
   * Makes Sign answer for the digest of these bytes. KMS signs a SHA-256 digest as it is, which node:crypto cannot
   * (it always hashes what it signs); the fake signs the message the digest was made from, the same ECDSA-SHA256
   * signature KMS returns, and refuses a digest of anything else.
   */
  expectMessage(message: Uint8Array): void;
  /** Principals whose Sign is denied (by the access key id in the SigV4 Authorization header). */
  denySign(accessKeyId: string): void;
  client(accessKeyId?: string): KMSClient;
  stop(): Promise<void>;
}

const REGION = 'eu-west-1';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * AWS KMS on loopback, as the SDK's real HTTP path reaches it: the AWS JSON 1.1 protocol (POST /, `X-Amz-Target:
 * TrentService.<Operation>`, blobs in base64), https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html
 * and API_GetPublicKey.html for the fields, and its error shape (`__type`, `message`, status 400).
 */
export async function startFakeKms(): Promise<FakeKms> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyArn = `arn:aws:kms:${REGION}:111122223333:key/${KEY_ID}`;
  const known = new Map<string, Uint8Array>();
  const denied = new Set<string>();
  const requests: KmsRequest[] = [];
  const knownKey = (id: unknown) => id === keyArn || id === KEY_ID || id === 'alias/glyco-test-signing';

  function answer(operation: string, headers: IncomingHttpHeaders, body: Record<string, unknown>) {
    if (!knownKey(body.KeyId)) return fail('NotFoundException', `Key '${String(body.KeyId)}' does not exist`);
    if (operation === 'GetPublicKey') {
      return ok({
        KeyId: keyArn,
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
        PublicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      });
    }
    if (operation !== 'Sign') return fail('UnsupportedOperationException', `${operation} is not faked`);
    const accessKeyId = /Credential=([^/]+)\//.exec(String(headers.authorization))?.[1] ?? '';
    if (denied.has(accessKeyId)) {
      return fail('AccessDeniedException', `User ${accessKeyId} is not authorized to perform: kms:Sign`);
    }
    if (body.SigningAlgorithm !== 'ECDSA_SHA_256') {
      return fail('InvalidKeyUsageException', `${String(body.SigningAlgorithm)} is not valid for this key`);
    }
    const digest = Buffer.from(String(body.Message), 'base64');
    if (body.MessageType !== 'DIGEST' || digest.length !== 32) {
      return fail('ValidationException', 'this fake signs SHA-256 digests (MessageType DIGEST) only');
    }
    const message = known.get(digest.toString('hex'));
    if (!message) return fail('ValidationException', 'a digest of a message the test did not expect');
    return ok({
      KeyId: keyArn,
      SigningAlgorithm: 'ECDSA_SHA_256',
      Signature: sign('sha256', message, privateKey).toString('base64'),
    });
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^TrentService\./, '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      requests.push({ operation, headers: request.headers, body });
      const { status, json } = answer(operation, request.headers, body);
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: KMSClient[] = [];
  return {
    endpoint,
    keyArn,
    publicKey,
    requests,
    expectMessage(message) {
      known.set(createHash('sha256').update(message).digest('hex'), message);
    },
    denySign: (accessKeyId) => denied.add(accessKeyId),
    client(accessKeyId = 'AKIDPIPELINE') {
      const client = new KMSClient({
        region: REGION,
        endpoint,
        credentials: { accessKeyId, secretAccessKey: 'fake-secret' },
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ok(json: Record<string, unknown>) {
  return { status: 200, json };
}

function fail(type: string, message: string) {
  return { status: 400, json: { __type: type, message } };
}
