import { readFile } from 'node:fs/promises';
import { type ApiKeyEntry, ConfigError, parseKeysDocument } from '@glyco/contract';
import { awsSecretReader, type SecretReader } from '@glyco/prediction-log';

/** Where the API keys are: at most one of the three variables is set. */
export type KeySource =
  | { from: 'env'; text: string }
  | { from: 'file'; path: string }
  | { from: 'secret'; secretArn: string };

const readApiKeysSecret = awsSecretReader('API_KEYS_SECRET_ARN', (message) => new ConfigError(message));

/** Reads the keys once, at startup; a missing file or secret stops the start in one line. */
export async function loadApiKeys(
  source: KeySource,
  readSecret: SecretReader = readApiKeysSecret,
): Promise<ApiKeyEntry[]> {
  switch (source.from) {
    case 'env':
      return parseKeysDocument(source.text, 'API_KEYS');
    case 'file': {
      const text = await readFile(source.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new ConfigError(`API_KEYS_FILE ${source.path} cannot be read: ${error.code ?? error.message}`);
      });
      return parseKeysDocument(text, `API_KEYS_FILE ${source.path}`);
    }
    case 'secret':
      return parseKeysDocument(await readSecret(source.secretArn), 'the secret API_KEYS_SECRET_ARN');
  }
}
