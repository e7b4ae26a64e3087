import { secretRegion } from '@glyco/contract';
import { PredictionLogConfigError } from './config-error.ts';

/** What an RDS secret holds: always the credentials; host, port and dbname only in secrets made by hand. */
export interface DatabaseSecret {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

/** Returns the SecretString of a secret. */
export type SecretReader = (secretArn: string) => Promise<string>;

/** The JSON of an RDS secret; the error says what is missing and never repeats the value. */
export function parseDatabaseSecret(text: string): DatabaseSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PredictionLogConfigError('the database secret is not JSON');
  }
  const secret = value as Partial<Record<keyof DatabaseSecret, unknown>> | null;
  if (typeof secret?.username !== 'string' || typeof secret.password !== 'string') {
    throw new PredictionLogConfigError('the database secret has no "username" and "password" strings');
  }
  const port = secret.port === undefined ? undefined : Number(secret.port);
  return {
    username: secret.username,
    password: secret.password,
    ...(typeof secret.host === 'string' ? { host: secret.host } : {}),
    ...(port !== undefined && Number.isInteger(port) ? { port } : {}),
    ...(typeof secret.dbname === 'string' ? { dbname: secret.dbname } : {}),
  };
}

/**
 * A reader of the secrets one variable names (`DATABASE_SECRET_ARN`, `API_KEYS_SECRET_ARN`), with the AWS SDK,
 * in the region named by the ARN; the SDK is loaded only when a secret is used. Failures are `toError`'s, in one
 * line that names the variable.
 */
export function awsSecretReader(variable: string, toError: (message: string) => Error): SecretReader {
  return async (secretArn) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: secretRegion(secretArn, variable) });
    let answer: { SecretString?: string | undefined };
    try {
      answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    } catch (error) {
      // A wrong ARN, a missing permission or no route to Secrets Manager: the deployment's to fix, said in one line.
      const { name, message } = error as Error;
      throw toError(`cannot read the secret ${variable}: ${name}: ${message}`);
    } finally {
      client.destroy();
    }
    if (answer.SecretString === undefined) {
      throw toError(`the secret ${variable} has no SecretString (binary secrets are not supported)`);
    }
    return answer.SecretString;
  };
}

export const readSecretFromAws: SecretReader = awsSecretReader(
  'DATABASE_SECRET_ARN',
  (message) => new PredictionLogConfigError(message),
);

/**
 * The secret, read at most once per `maxAgeMs`: new connections after a rotation get the new password without
 * a restart, and a burst of reconnects does not become a burst of Secrets Manager calls.
 */
export function cachedSecret(
  secretArn: string,
  read: SecretReader,
  maxAgeMs: number,
): () => Promise<DatabaseSecret> {
  let cached: { secret: Promise<DatabaseSecret>; at: number } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > maxAgeMs) {
      const secret = read(secretArn).then(parseDatabaseSecret);
      cached = { secret, at: now };
      secret.catch(() => {
        if (cached?.secret === secret) cached = undefined;
      });
    }
    return cached.secret;
  };
}
