import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { serverReading } from '../src/testing/index.ts';

describe('loadConfig', () => {
  it('runs with no environment at all: port 8080, the bundled model, the embedded log', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      modelUri: undefined,
      modelRegistry: { cacheDir: join(tmpdir(), 'glyco-models'), pollIntervalMs: 30_000 },
      database: { url: undefined, secretArn: undefined, host: undefined, port: undefined, name: undefined },
      predictionLogDurability: 'buffered',
      predictionLogRetentionMonths: undefined,
      logLevel: 'info',
      batching: { maxBatchRows: 4096, maxWaitMs: 0 },
      ortIntraOpThreads: 1,
      limits: { maxBodyBytes: 1048576, maxInstances: 1000 },
      shutdownTimeoutMs: 10000,
      auth: { keys: undefined, keysReloadMs: 60_000, oidc: undefined },
      clientLimits: { requests: undefined, rows: undefined },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      MODEL_URI: 'file:///models/pima-diabetes/1.0.0',
      DATABASE_URL: 'postgres://app@db.internal:5432/glyco',
      DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-abc-1a2B3c',
      DATABASE_HOST: 'proxy.internal',
      DATABASE_PORT: '6432',
      DATABASE_NAME: 'glyco',
      PREDICTION_LOG_DURABILITY: 'strict',
      PREDICTION_LOG_RETENTION_MONTHS: '24',
      LOG_LEVEL: 'warn',
      BATCH_MAX_ROWS: '512',
      BATCH_MAX_WAIT_MS: '2',
      ORT_INTRA_OP_THREADS: '2',
      MAX_BODY_BYTES: '65536',
      MAX_INSTANCES: '100',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      modelUri: 'file:///models/pima-diabetes/1.0.0',
      database: {
        url: 'postgres://app@db.internal:5432/glyco',
        host: 'proxy.internal',
        port: 6432,
        name: 'glyco',
      },
      predictionLogDurability: 'strict',
      predictionLogRetentionMonths: 24,
      logLevel: 'warn',
      batching: { maxBatchRows: 512, maxWaitMs: 2 },
      ortIntraOpThreads: 2,
      limits: { maxBodyBytes: 65536, maxInstances: 100 },
      shutdownTimeoutMs: 5000,
    });
  });

  it('keeps every prediction when the retention is forever, as when it is unset', () => {
    expect(loadConfig({ PREDICTION_LOG_RETENTION_MONTHS: 'forever' }).predictionLogRetentionMonths).toBe(
      undefined,
    );
  });

  it('accepts DATABASE_URL=off', () => {
    expect(loadConfig({ DATABASE_URL: 'off' }).database.url).toBe('off');
  });

  it.each([
    ['PORT', '80a', 'PORT must be a whole number from 0 to 65535'],
    ['PORT', '70000', 'PORT must be a whole number from 0 to 65535'],
    ['PORT', '-1', 'PORT must be a whole number from 0 to 65535'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of debug, info, warn, error, silent'],
    ['PREDICTION_LOG_DURABILITY', 'sync', 'PREDICTION_LOG_DURABILITY must be one of buffered, strict'],
    [
      'PREDICTION_LOG_RETENTION_MONTHS',
      '0',
      'PREDICTION_LOG_RETENTION_MONTHS must be a whole number of months from 1 to 1200, or forever',
    ],
    [
      'PREDICTION_LOG_RETENTION_MONTHS',
      '6 months',
      'PREDICTION_LOG_RETENTION_MONTHS must be a whole number of months from 1 to 1200, or forever',
    ],
    ['ORT_INTRA_OP_THREADS', '0', 'ORT_INTRA_OP_THREADS must be a whole number from 1 to 256'],
    ['BATCH_MAX_WAIT_MS', '1.5', 'BATCH_MAX_WAIT_MS must be a whole number from 0 to 1000'],
    ['MAX_INSTANCES', '0', 'MAX_INSTANCES must be a whole number from 1 to 100000'],
    [
      'DATABASE_URL',
      'mysql://db/glyco',
      'DATABASE_URL must start with postgres:// or postgresql:// (or be "off"), not mysql://',
    ],
    [
      'DATABASE_URL',
      'postgres://app@db.internal/glyco?sslmode=prefer',
      'DATABASE_URL: sslmode=prefer is not supported; use one of disable, require, verify-ca, verify-full',
    ],
    ['DATABASE_URL', 'postgres://app@db.internal:99999/glyco', 'DATABASE_URL'],
    ['DATABASE_SECRET_ARN', 'my-secret', 'DATABASE_SECRET_ARN is not a Secrets Manager ARN'],
    ['DATABASE_PORT', '0', 'DATABASE_PORT must be a whole number from 1 to 65535'],
    ['HOST', 'bad host', 'HOST must be a host name or an IP address'],
    ['API_KEYS_SECRET_ARN', 'keys', 'API_KEYS_SECRET_ARN is not a Secrets Manager ARN'],
    [
      'OIDC_ISSUER',
      'http://idp.example.com',
      'OIDC_ISSUER must be an https:// URL (http:// only to this machine)',
    ],
    ['OIDC_JWKS_URL', 'not a url', 'OIDC_JWKS_URL must be an https:// URL'],
    [
      'API_KEYS_RELOAD_SECONDS',
      '0.5',
      'API_KEYS_RELOAD_SECONDS must be 0 (never) or a number of seconds from 1 to 86400',
    ],
  ])('fails fast on %s=%s, naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(
      'invalid configuration: PORT must be a whole number from 0 to 65535; LOG_LEVEL must be one of',
    );
  });

  it('never echoes a DATABASE_URL, which may hold a password', () => {
    const url = 'postgres//app:s3cret@db/glyco';
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/is not a valid URL/);
    expect(() => loadConfig({ DATABASE_URL: url })).not.toThrow(/s3cret/);
  });

  it('refuses a database secret with the log switched off', () => {
    expect(() =>
      loadConfig({
        DATABASE_URL: 'off',
        DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-1a2B3c',
      }),
    ).toThrow('DATABASE_SECRET_ARN is set but DATABASE_URL=off disables the prediction log');
    expect(() => loadConfig({ DATABASE_URL: 'off', DATABASE_HOST: 'db', DATABASE_NAME: 'glyco' })).toThrow(
      'DATABASE_HOST, DATABASE_NAME are set but DATABASE_URL=off disables the prediction log',
    );
  });

  it('reads API keys from one place and an OIDC issuer with its audience', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-api-keys-1a2B3c';
    expect(loadConfig({ API_KEYS_SECRET_ARN: arn }).auth.keys).toEqual({ from: 'secret', secretArn: arn });
    expect(loadConfig({ API_KEYS_SECRET_ARN: arn, API_KEYS_RELOAD_SECONDS: '30' }).auth.keysReloadMs).toBe(
      30_000,
    );
    expect(loadConfig({ API_KEYS_SECRET_ARN: arn, API_KEYS_RELOAD_SECONDS: '0' }).auth.keysReloadMs).toBe(0);
    expect(
      loadConfig({
        OIDC_ISSUER: 'https://idp.example.com/',
        OIDC_AUDIENCE: 'glyco',
        OIDC_SCOPE_PREFIX: 'glyco/',
      }).auth.oidc,
    ).toEqual({
      issuer: 'https://idp.example.com/',
      audience: 'glyco',
      jwksUrl: undefined,
      scopePrefix: 'glyco/',
    });
  });

  it.each([
    [
      { API_KEYS: '{"keys":[]}', API_KEYS_FILE: 'keys.json' },
      'set only one of API_KEYS, API_KEYS_FILE and API_KEYS_SECRET_ARN',
    ],
    [{ OIDC_ISSUER: 'https://idp.example.com' }, 'OIDC_ISSUER and OIDC_AUDIENCE go together'],
    [{ OIDC_AUDIENCE: 'glyco' }, 'OIDC_ISSUER and OIDC_AUDIENCE go together'],
    [{ OIDC_SCOPE_PREFIX: 'glyco/' }, 'OIDC_JWKS_URL and OIDC_SCOPE_PREFIX need OIDC_ISSUER'],
  ])('refuses authentication settings that cannot work: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses strict durability with the log switched off: it would answer what it never records', () => {
    expect(() => loadConfig({ DATABASE_URL: 'off', PREDICTION_LOG_DURABILITY: 'strict' })).toThrow(
      'PREDICTION_LOG_DURABILITY=strict answers only logged predictions, but DATABASE_URL=off disables the log',
    );
    expect(loadConfig({ DATABASE_URL: 'off', PREDICTION_LOG_DURABILITY: 'buffered' }).database.url).toBe(
      'off',
    );
  });

  it('tells a deployment which of the variables it sets the server never reads', () => {
    const reading = serverReading({ PORT: '9000', MODEL_URL: 's3://b-1/models/pima-diabetes@production' });
    expect(reading.config.port).toBe(9000);
    expect(reading.unread).toEqual(['MODEL_URL']);
  });
});
