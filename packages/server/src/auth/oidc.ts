import { SCOPES, type Scope } from '@glyco/contract';
import { Jwt } from 'hono/utils/jwt';
import type { JWTPayload } from 'hono/utils/jwt/types';
import { Problem } from '../http/problem.ts';
import type { Client } from './client.ts';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Default: the `jwks_uri` of the issuer's OpenID discovery document. */
  jwksUrl: string | undefined;
  /** Put by the issuer before this API's scope names, e.g. `glyco/`. */
  scopePrefix: string;
}

/** The asymmetric algorithms accepted, as WebCrypto imports their keys; symmetric ones never (RFC 8725 §3.1). */
const ALGORITHMS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  EdDSA: { name: 'Ed25519' },
} as const;
type Algorithm = keyof typeof ALGORITHMS;

/** The JWKS is fetched again after this long, and on an unknown `kid` (key rotation) at most this often. */
const JWKS_MAX_AGE_MS = 60 * 60_000;
const JWKS_MIN_REFETCH_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

interface VerificationKey {
  alg: Algorithm;
  key: CryptoKey;
}

const invalidToken = (detail: string) =>
  new Problem('unauthorized', `the bearer token ${detail}`, undefined, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${detail.replaceAll('"', "'")}"`,
  });

/** Verifies the issuer's bearer JWTs: signature against its cached JWKS, `iss`, `aud`, `exp` (required), `nbf`. */
export function oidcVerifier(
  settings: OidcSettings,
  fetchJson = fetchJsonOnce,
): (token: string) => Promise<Client> {
  const keys = jwksCache(settings, fetchJson);
  return async (token) => {
    let header: { alg?: string; kid?: string };
    try {
      header = Jwt.decode(token).header;
    } catch {
      throw invalidToken('is not a JWT');
    }
    if (!(header.alg && header.alg in ALGORITHMS)) {
      throw invalidToken(
        `is signed with ${header.alg ?? 'no algorithm'}; accepted: ${Object.keys(ALGORITHMS).join(', ')}`,
      );
    }
    const key = header.kid === undefined ? undefined : await keys.find(header.kid);
    if (!key || key.alg !== header.alg) throw invalidToken('is not signed by a key of the issuer');
    let payload: JWTPayload;
    try {
      payload = await Jwt.verify(token, key.key, {
        alg: key.alg,
        iss: settings.issuer,
        aud: settings.audience,
      });
    } catch (error) {
      throw invalidToken(`is not valid: ${(error as Error).name}`);
    }
    if (typeof payload.exp !== 'number') throw invalidToken('has no expiry (exp)');
    const subject = [payload.client_id, payload.azp, payload.sub].find((id) => typeof id === 'string');
    if (!subject) throw invalidToken('names no client (client_id, azp or sub)');
    return { id: `oidc:${subject}`, scopes: tokenScopes(payload, settings.scopePrefix) };
  };
}

/** `scope` (RFC 8693: space-separated) or `scp` (a list, as some issuers write it), with the prefix taken off. */
function tokenScopes(payload: JWTPayload, prefix: string): Set<Scope> {
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  const granted = [scope, scp].flatMap((claim) =>
    typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [],
  );
  const names = granted.flatMap((name) =>
    typeof name === 'string' && name.startsWith(prefix) ? [name.slice(prefix.length)] : [],
  );
  return new Set(SCOPES.filter((scope) => names.includes(scope)));
}

/** The issuer's keys, imported once; fetched again when old or when a token names a `kid` not seen yet. */
function jwksCache(settings: OidcSettings, fetchJson: (url: string) => Promise<unknown>) {
  let keys = new Map<string, VerificationKey>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let failure = '';
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    attemptedAt = Date.now();
    const url = settings.jwksUrl ?? (await discoverJwksUrl(settings.issuer, fetchJson));
    const document = (await fetchJson(url)) as { keys?: unknown };
    if (!Array.isArray(document?.keys)) throw new Error(`${url} holds no "keys" list`);
    const imported = new Map<string, VerificationKey>();
    for (const jwk of document.keys as (JsonWebKey & { kid?: string; alg?: string })[]) {
      if (!jwk.kid || !jwk.alg || !(jwk.alg in ALGORITHMS) || (jwk.use && jwk.use !== 'sig')) continue;
      const alg = jwk.alg as Algorithm;
      imported.set(jwk.kid, {
        alg,
        key: await crypto.subtle.importKey('jwk', jwk, ALGORITHMS[alg], false, ['verify']),
      });
    }
    keys = imported;
    fetchedAt = Date.now();
  }

  async function refreshOnce(): Promise<void> {
    refreshing ??= refresh().finally(() => (refreshing = undefined));
    return refreshing;
  }

  return {
    async find(kid: string): Promise<VerificationKey | undefined> {
      const now = Date.now();
      const stale = now - fetchedAt > JWKS_MAX_AGE_MS || !keys.has(kid);
      if (stale && (refreshing || now - attemptedAt > JWKS_MIN_REFETCH_MS)) {
        try {
          await refreshOnce();
          failure = '';
        } catch (error) {
          failure = (error as Error).message;
        }
      }
      // Keys already held keep working while the issuer cannot be reached; with none, nobody can be verified.
      if (keys.size === 0) {
        throw new Problem(
          'not-ready',
          `the issuer's signing keys cannot be fetched${failure && `: ${failure}`}`,
        );
      }
      return keys.get(kid);
    },
  };
}

async function discoverJwksUrl(
  issuer: string,
  fetchJson: (url: string) => Promise<unknown>,
): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const { jwks_uri: jwksUri } = ((await fetchJson(url)) ?? {}) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error(`${url} names no jwks_uri`);
  return jwksUri;
}

async function fetchJsonOnce(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}
