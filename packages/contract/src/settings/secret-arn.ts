import { ConfigError } from './config-error.ts';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;

/** The region of a Secrets Manager ARN (`DATABASE_SECRET_ARN`, `API_KEYS_SECRET_ARN`), where the secret is read. */
export function secretRegion(secretArn: string, variable = 'DATABASE_SECRET_ARN'): string {
  const region = SECRET_ARN.exec(secretArn)?.[1];
  if (!region) {
    throw new ConfigError(
      `${variable} is not a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
    );
  }
  return region;
}
