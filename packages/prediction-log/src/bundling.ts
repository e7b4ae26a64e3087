import { fileURLToPath } from 'node:url';
import { PGLITE_WORKER } from './pglite-client.ts';

/**
 * What a bundler must know to bundle the log (the server's dist/ does). The embedded database runs on a worker
 * thread, and a worker runs a module file of its own: its entry point must be built beside the bundle under
 * the name `pglite-client.ts` looks for. PGlite loads wasm and data files next to its own module, so
 * it stays external (the app directory ships it in node_modules); `pg-native` is an optional import of `pg`.
 */
export const LOG_BUNDLE = {
  entryPoints: { [PGLITE_WORKER]: fileURLToPath(new URL(`./${PGLITE_WORKER}.ts`, import.meta.url)) },
  external: ['@electric-sql/pglite', 'pg-native'],
};
