import type { AppDeps } from '../../src/app-deps.ts';
import { type BootstrapOptions, bootstrap, type Runtime } from '../../src/bootstrap.ts';
import { loadConfig, type ServerConfig } from '../../src/config.ts';
import { ClientLimits } from '../../src/limits/client-limits.ts';
import { startServer } from '../../src/node/server.ts';

/** The configuration the page tests run with: the bundled model, no database, quiet logs, loopback only. */
export function testConfig(env: Record<string, string> = {}): ServerConfig {
  return { ...loadConfig({ DATABASE_URL: 'off', LOG_LEVEL: 'silent', ...env }), host: '127.0.0.1', port: 0 };
}

export function startRuntime(options: BootstrapOptions & { modelUri?: string } = {}): Promise<Runtime> {
  return bootstrap(testConfig(options.modelUri ? { MODEL_URI: options.modelUri } : {}), options);
}

/** The node server on an ephemeral loopback port, as the browser reaches it. */
export function startTestServer() {
  return startServer(testConfig());
}

/** The dependencies the app was built from, to mount the page's routes with extra ones. */
export function depsOf(runtime: Runtime): AppDeps {
  const { models, predictionLog, logger, metrics, config } = runtime;
  return {
    models,
    predictionLog,
    logger,
    metrics,
    limits: config.limits,
    authenticator: undefined,
    clientLimits: new ClientLimits({ requests: undefined, rows: undefined }),
    isDraining: () => false,
  };
}

export { recordingLog } from '../support/fixtures.ts';

/** A valid row of the bundled model, with the optional skin fold and insulin left out. */
export const VALID_ROW = { pregnant: 2, glucose: 150, pressure: 70, mass: 33.5, pedigree: 0.5, age: 41 };

export function postJson(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
