import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createApiKey } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.ts';
import { loadApiKeys } from '../../src/auth/key-source.ts';

const { key, entry } = createApiKey('clinic-a', ['predict']);
const document = JSON.stringify({ keys: [entry] });
const headers = (apiKey: string) => new Headers({ 'x-api-key': apiKey });

describe('API keys', () => {
  it('are read from a file and from a Secrets Manager secret, the same document', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'glyco-keys-')), 'keys.json');
    writeFileSync(file, document);
    const secrets: string[] = [];
    const readSecret = async (arn: string) => {
      secrets.push(arn);
      return document;
    };
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-api-keys-1a2B3c';
    expect(await loadApiKeys({ from: 'file', path: file })).toEqual([entry]);
    expect(await loadApiKeys({ from: 'secret', secretArn: arn }, readSecret)).toEqual([entry]);
    expect(secrets).toEqual([arn]);
  });

  it('stop the start in one line when the file is missing, never echoing the document', async () => {
    await expect(loadApiKeys({ from: 'file', path: '/no/such/keys.json' })).rejects.toThrow(
      new ConfigError('API_KEYS_FILE /no/such/keys.json cannot be read: ENOENT'),
    );
    const secretText = '{"keys": "s3cret-looking"}';
    const failure = loadApiKeys({ from: 'env', text: secretText });
    await expect(failure).rejects.toThrow('API_KEYS at keys: ');
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it.each([
    [
      '{"keys": [{"name": "a", "sha256": "ABC", "scopes": ["predict"]}]}',
      'API_KEYS at keys.0.sha256: must be 64 lowercase hex digits',
    ],
    [
      `{"keys": [{"name": "a", "sha256": "${'a'.repeat(64)}", "scopes": ["root"]}]}`,
      'API_KEYS at keys.0.scopes.0: ',
    ],
    [
      `{"keys": [{"name": "a", "sha256": "${'a'.repeat(64)}", "scopes": []}]}`,
      'API_KEYS at keys.0.scopes: must name at least one scope',
    ],
    [
      `{"keys": [${JSON.stringify(entry)}, ${JSON.stringify(entry)}]}`,
      'API_KEYS: two keys are named "clinic-a"',
    ],
    ['keys', 'API_KEYS is not JSON'],
  ])('refuse a document that is not a keys document: %s', async (text, message) => {
    await expect(loadApiKeys({ from: 'env', text })).rejects.toThrow(message);
  });

  it('are matched by hash only: the key itself is accepted, its hash or a near miss is not', async () => {
    const authenticator = (await createAuthenticator({
      keys: { from: 'env', text: document },
      keysReloadMs: 0,
      oidc: undefined,
    }))!;
    expect(await authenticator.authenticate(headers(key))).toMatchObject({ id: 'key:clinic-a' });
    await expect(authenticator.authenticate(headers(entry.sha256))).rejects.toThrow(
      'the API key is not valid',
    );
    const nearMiss = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    await expect(authenticator.authenticate(headers(nearMiss))).rejects.toThrow('the API key is not valid');
  });
});
