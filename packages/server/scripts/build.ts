/**
 * Bundles the two entry points into dist/: `server.mjs` (node server: ECS, EKS, local) and `lambda.mjs`
 * (Lambda handler `lambda.handler`), and beside them the entry points the prediction log asks for:
 * `pglite-worker.mjs`, the embedded log's database thread, which both load by that name (a worker runs a module
 * file of its own). Packages with native
 * binaries or wasm assets stay external (`bundle-options.ts`): the app directory ships them in node_modules next
 * to dist/. Run: `pnpm nx run @glyco/server:build`.
 */
import { fileURLToPath } from 'node:url';
import { LOG_BUNDLE } from '@glyco/prediction-log/bundling';
import { buildBundles } from './bundle-options.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
await buildBundles(
  { server: 'src/node/main.ts', lambda: 'src/lambda/main.ts', ...LOG_BUNDLE.entryPoints },
  packageDir,
  process.argv[2] ?? `${packageDir}dist`,
);
