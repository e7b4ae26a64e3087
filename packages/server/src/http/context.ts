/**
 * Hono's typed context variables: `requestId` is set for every request (by `observe`) before any route runs;
 * `client` names who sent it (`key:<name>`, `oidc:<id>`) when authentication is on and the route is not public.
 */
export type AppEnv = { Variables: { requestId: string; client: string | undefined } };
