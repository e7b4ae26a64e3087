/** Hono's typed context variables: `requestId` is set for every request (by `observe`) before any route runs. */
export type AppEnv = { Variables: { requestId: string } };
