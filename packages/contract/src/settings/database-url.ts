/** Reading `DATABASE_URL`: the one place that decides whether a value is a usable PostgreSQL URL. */
import { ConfigError } from './config-error.ts';

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where a PostgreSQL server is and how to reach it; the password may come later, from a secret. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  database: string;
  user: string | undefined;
  password: string | undefined;
  sslMode: SslMode;
  /** A CA bundle file (libpq's `sslrootcert`); default: Node's public roots plus the Amazon RDS roots. */
  sslRootCert: string | undefined;
}

const SUPPORTED_PARAMETERS = new Set(['sslmode', 'sslrootcert', 'host']);

/**
 * Reads a libpq-style URL, `postgres://user:password@host:port/database?sslmode=verify-full`. Errors name the
 * problem but never repeat the URL, which may hold a password.
 */
export function parseDatabaseUrl(url: string): PostgresEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL: expected postgres://user@host:5432/db');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql:// (or be "off"), not ${parsed.protocol}//`,
    );
  }
  for (const name of parsed.searchParams.keys()) {
    if (!SUPPORTED_PARAMETERS.has(name)) {
      throw new ConfigError(
        `DATABASE_URL: unsupported parameter "${name}" (supported: ${[...SUPPORTED_PARAMETERS].join(', ')})`,
      );
    }
  }
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, '');
  if (!host) throw new ConfigError('DATABASE_URL: no host');
  const user = decodeURIComponent(parsed.username) || undefined;
  return {
    host,
    port: parsePort(parsed.port || '5432', 'DATABASE_URL port'),
    database: decodeURIComponent(parsed.pathname.slice(1)) || user || 'postgres',
    user,
    password: decodeURIComponent(parsed.password) || undefined,
    sslMode: parseSslMode(parsed.searchParams.get('sslmode'), host),
    sslRootCert: parsed.searchParams.get('sslrootcert') ?? undefined,
  };
}

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${what}: "${text}" is not a port number (1-65535)`);
  }
  return port;
}

/** No `sslmode`: plain TCP to this machine, verified TLS to anything else (secure by default). */
export function parseSslMode(value: string | null | undefined, host: string): SslMode {
  if (value == null) return isLocal(host) ? 'disable' : 'verify-full';
  if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
  throw new ConfigError(
    `DATABASE_URL: sslmode=${value} is not supported; use one of ${SSL_MODES.join(', ')}`,
  );
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host.startsWith('/') || host === '::1' || /^127\./.test(host);
}
