/** Helpers for tests, benchmarks and smoke runs of the server and of what deploys it: not part of the app itself. */
export type { Access, DeclaredRoute } from '../auth/access.ts';
export { freePort } from './free-port.ts';
export { type IdentityProvider, startIdentityProvider } from './identity-provider.ts';
export { type EventSource, type HttpRequest, type LambdaHttpResult, lambdaEvent } from './lambda-events.ts';
export { mountedRoutes } from './mounted-routes.ts';
export { type ServerReading, serverReading } from './server-reading.ts';
