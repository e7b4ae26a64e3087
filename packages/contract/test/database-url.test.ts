import { describe, expect, it } from 'vitest';
import { ConfigError, parseDatabaseUrl } from '../src/index.ts';

describe('a DATABASE_URL', () => {
  it('gives host, port, database and (percent-decoded) credentials', () => {
    expect(parseDatabaseUrl('postgresql://app%40x:p%2Fss@db.example.com:6543/glyco')).toEqual({
      host: 'db.example.com',
      port: 6543,
      database: 'glyco',
      user: 'app@x',
      password: 'p/ss',
      sslMode: 'verify-full',
      sslRootCert: undefined,
    });
  });

  it('defaults to port 5432, the user name as database, and no TLS on loopback', () => {
    expect(parseDatabaseUrl('postgres://glyco@127.0.0.1')).toMatchObject({
      port: 5432,
      database: 'glyco',
      sslMode: 'disable',
    });
    expect(parseDatabaseUrl('postgres://glyco@localhost/db').sslMode).toBe('disable');
  });

  it.each([
    ['not a url', 'not a valid URL'],
    ['mysql://u:secret@h/db', 'must start with postgres://'],
    ['postgres://u:secret@h/db?sslmode=prefer', 'sslmode=prefer is not supported'],
    ['postgres://u:secret@h/db?connect_timeout=5', 'unsupported parameter "connect_timeout"'],
    ['postgres://u:secret@h:99999/db', 'not a valid URL'],
  ])('refuses %s, naming the problem and never the password', (url, message) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('secret');
  });
});
