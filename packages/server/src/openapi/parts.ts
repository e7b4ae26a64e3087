import type { Access } from '../auth/access.ts';

/** The building blocks of the OpenAPI document's operations. */
export type JsonSchema = Record<string, unknown>;

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

export const json = (schema: JsonSchema, example?: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

export const ok = (description: string, schema: JsonSchema) => ({ description, content: json(schema) });

export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: 'Problem details', content: { 'application/problem+json': { schema: ref('Problem') } } },
    ]),
  );

export const pathParameter = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description,
});

export const queryParameter = (name: string, description: string, schema: JsonSchema) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

/**
 * How a client proves who it is when authentication is on (API_KEYS*, OIDC_*): an API key in `X-API-Key`, or a
 * bearer token, which is an API key or the OIDC issuer's JWT. Off (no credentials configured), every operation is
 * open.
 */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'An API key (`glyco keys create`). `admin` holds every scope.',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key, or a JWT of the configured OIDC issuer whose `scope` (or `scp`) names the scopes. `admin` holds every scope.',
  },
};

/**
 * An operation with who may call it, as the route declares it (see auth/access.ts): no credentials (`security:
 * []`), or an API key or bearer token with one of the scopes, listed as the roles OpenAPI 3.1 lets a non-OAuth
 * scheme name; and the refusals that come with credentials (401, 403) and with the limits per client (429).
 */
export function secured<T extends { responses: Record<string, unknown> }>(access: Access, operation: T) {
  if (access === 'public') return { ...operation, security: [] };
  const scopes = access === 'authenticated' ? [] : [...access];
  return {
    ...operation,
    security: [{ apiKey: scopes }, { bearer: scopes }],
    responses: { ...operation.responses, ...problems(401, 403, 429) },
  };
}
