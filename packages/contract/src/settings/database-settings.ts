import type { AppVariable } from './app-settings.ts';
import type { SettingsReader } from './read-settings.ts';

/** Where the prediction log's database is: the DATABASE_* variables, as the server and `glyco drift` read them. */
export interface DatabaseSettings {
  /** `undefined`: embedded PGlite in a local data dir; `'off'`: no prediction log; else a postgres:// URL. */
  url: undefined | 'off' | string;
  /** RDS credentials in AWS Secrets Manager (the RDS-managed master secret). */
  secretArn: string | undefined;
  /** Database host (an RDS Proxy endpoint on Lambda) used with `secretArn`; overrides the URL's. */
  host: string | undefined;
  /** Override the URL's (and the secret's) port and database name. */
  port: number | undefined;
  name: string | undefined;
}

const DATABASE_VARIABLES = {
  url: 'DATABASE_URL',
  secretArn: 'DATABASE_SECRET_ARN',
  host: 'DATABASE_HOST',
  port: 'DATABASE_PORT',
  name: 'DATABASE_NAME',
} as const satisfies Record<keyof DatabaseSettings, AppVariable>;

/** The DATABASE_* variables; refuses settings of a database with the log switched off (`DATABASE_URL=off`). */
export function readDatabaseSettings({ read, refuse }: SettingsReader): DatabaseSettings {
  const settings: DatabaseSettings = {
    url: read('DATABASE_URL'),
    secretArn: read('DATABASE_SECRET_ARN'),
    host: read('DATABASE_HOST'),
    port: read('DATABASE_PORT'),
    name: read('DATABASE_NAME'),
  };
  if (settings.url === 'off') {
    const { url: _, ...rest } = settings;
    const set = Object.entries(rest).filter(([, value]) => value !== undefined);
    const names = set.map(([key]) => DATABASE_VARIABLES[key as keyof DatabaseSettings]);
    if (names.length > 0) {
      refuse(
        `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} set but DATABASE_URL=off disables the prediction log`,
      );
    }
  }
  return settings;
}
