import { describe, expect, it } from 'vitest';
import { ConfigError, readDatabaseSettings, readSettings } from '../src/index.ts';

describe('readSettings', () => {
  it('reads only the variables asked for: a bad one elsewhere is no reason to refuse', () => {
    const env = { PORT: 'eighty', DATABASE_URL: 'postgres://app@db.internal/glyco', DATABASE_PORT: '6432' };
    expect(readSettings(env, readDatabaseSettings)).toEqual({
      url: 'postgres://app@db.internal/glyco',
      secretArn: undefined,
      host: undefined,
      port: 6432,
      name: undefined,
    });
  });

  it('takes an empty variable for an unset one', () => {
    expect(
      readSettings({ PORT: '', LOG_LEVEL: '' }, ({ read }) => [read('PORT'), read('LOG_LEVEL')]),
    ).toEqual([8080, 'info']);
  });

  it('reports every problem at once, by name, in one ConfigError', () => {
    const read = () =>
      readSettings({ DATABASE_URL: 'off', DATABASE_HOST: 'db', DATABASE_PORT: '0' }, readDatabaseSettings);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid configuration: DATABASE_PORT must be a whole number from 1 to 65535; ' +
        'DATABASE_HOST is set but DATABASE_URL=off disables the prediction log',
    );
  });

  it('names the variable once in the grammars that name it themselves', () => {
    expect(() => readSettings({ MODEL_URI: 'ftp://models/m' }, ({ read }) => read('MODEL_URI'))).toThrow(
      'invalid configuration: MODEL_URI scheme "ftp://" is not supported',
    );
    expect(() =>
      readSettings({ DATABASE_SECRET_ARN: 'db' }, ({ read }) => read('DATABASE_SECRET_ARN')),
    ).toThrow('invalid configuration: DATABASE_SECRET_ARN is not a Secrets Manager ARN');
  });
});
