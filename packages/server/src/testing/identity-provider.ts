import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Jwt } from 'hono/utils/jwt';

/**
 * An OpenID provider on loopback: its discovery document and JWKS over HTTP, as the server fetches them, and
 * tokens signed with its ES256 key (or with a key it does not publish).
 */
export interface IdentityProvider {
  issuer: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  token(claims: Record<string, unknown>, options?: { unpublished?: boolean }): Promise<string>;
  close(): Promise<void>;
}

async function signingKey(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), kid, alg: 'ES256' };
  const publicJwk = {
    ...(await crypto.subtle.exportKey('jwk', pair.publicKey)),
    kid,
    alg: 'ES256',
    use: 'sig',
  };
  return { privateJwk, publicJwk };
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const published = await signingKey('published-1');
  const unpublished = await signingKey('unpublished-1');
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    const documents: Record<string, unknown> = {
      '/.well-known/openid-configuration': { issuer, jwks_uri: `${issuer}/jwks.json` },
      '/jwks.json': { keys: [published.publicJwk] },
    };
    const document = documents[req.url ?? ''];
    if (req.url === '/jwks.json') fetches++;
    res.writeHead(document ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(document ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksFetches: () => fetches,
    token: (claims, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const key = options.unpublished ? unpublished : published;
      return Jwt.sign({ iss: issuer, iat: now, exp: now + 300, ...claims }, key.privateJwk as never);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
