import { API_KEY_PREFIX } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import type { SecretReader } from '@glyco/prediction-log';
import { Problem } from '../http/problem.ts';
import { ApiKeySet, type KeyReloadOutcome } from './api-key-set.ts';
import type { Client } from './client.ts';
import type { KeySource } from './key-source.ts';
import { type OidcSettings, oidcVerifier } from './oidc.ts';

/** Where credentials are checked against: API keys, an OIDC issuer, or both. */
export interface AuthSettings {
  keys: KeySource | undefined;
  /** How old the keys of a file or secret may get before they are read again; 0: read once. */
  keysReloadMs: number;
  oidc: OidcSettings | undefined;
}

/** Who sent a request, from its headers; throws a 401 Problem when the credentials are missing or wrong. */
export interface Authenticator {
  authenticate(headers: Headers): Promise<Client>;
  /** What is accepted, for the startup log line: e.g. `3 API keys, bearer JWTs of https://issuer`. */
  readonly accepts: string;
}

const API_KEY_HEADER = 'x-api-key';
const CHALLENGE = 'Bearer realm="glyco"';

const unauthorized = (detail: string, challenge = CHALLENGE) =>
  new Problem('unauthorized', detail, undefined, { 'www-authenticate': challenge });

export interface AuthenticatorOptions {
  readSecret?: SecretReader;
  fetchJson?: (url: string) => Promise<unknown>;
  logger?: Logger;
  onKeysReload?: (outcome: KeyReloadOutcome) => void;
}

/**
 * The authenticator the settings describe, or undefined when they describe none (authentication off). Keys are
 * first read here (a missing file or secret stops the start), then again as they age (see ApiKeySet).
 */
export async function createAuthenticator(
  settings: AuthSettings,
  options: AuthenticatorOptions = {},
): Promise<Authenticator | undefined> {
  if (!settings.keys && !settings.oidc) return undefined;
  const keys =
    settings.keys &&
    (await ApiKeySet.load(settings.keys, {
      reloadMs: settings.keysReloadMs,
      readSecret: options.readSecret,
      logger: options.logger,
      onReload: options.onKeysReload,
    }));
  const verifyJwt = settings.oidc && oidcVerifier(settings.oidc, options.fetchJson);
  const accepted = [
    ...(keys ? [`${keys.size} API key${keys.size === 1 ? '' : 's'}`] : []),
    ...(settings.oidc ? [`bearer JWTs of ${settings.oidc.issuer}`] : []),
  ];

  async function byKey(key: string): Promise<Client> {
    const entry = await keys?.find(key);
    if (!entry) throw unauthorized('the API key is not valid', `${CHALLENGE}, error="invalid_token"`);
    return { id: `key:${entry.name}`, scopes: new Set(entry.scopes) };
  }

  return {
    accepts: accepted.join(' and '),
    async authenticate(headers) {
      const key = headers.get(API_KEY_HEADER);
      if (key !== null) return byKey(key.trim());
      const authorization = headers.get('authorization');
      if (authorization === null) {
        throw unauthorized('this route needs credentials: an API key (X-API-Key) or a bearer token');
      }
      const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
      if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) {
        throw unauthorized(
          'the Authorization header must be "Bearer <token>"',
          `${CHALLENGE}, error="invalid_request"`,
        );
      }
      if (token.startsWith(API_KEY_PREFIX)) return byKey(token);
      if (!verifyJwt) throw unauthorized('bearer tokens are not accepted here; send an API key');
      return verifyJwt(token);
    },
  };
}
