/**
 * Bundles the two entry points into dist/: `server.mjs` (node server: ECS, EKS, local) and `lambda.mjs`
 * (Lambda handler `lambda.handler`), and beside them `pglite-worker.mjs`, the embedded prediction log's
 * database thread, which both load by that name (a worker runs a module file of its own). Packages with native binaries or wasm assets stay external: the app
 * directory ships them in node_modules next to dist/. Run: `pnpm nx run @glyco/server:build`.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const outdir = process.argv[2] ?? `${packageDir}dist`;

/**
 * onnxruntime-node loads a native binding; PGlite loads wasm and data files next to its own module;
 * swagger-ui-dist is read as files (the `/docs` assets).
 */
export const EXTERNAL_PACKAGES = ['onnxruntime-node', '@electric-sql/pglite', 'pg-native', 'swagger-ui-dist'];

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: packageDir,
  entryPoints: {
    server: 'src/server-main.ts',
    lambda: 'src/lambda.ts',
    'pglite-worker': 'src/prediction-log/pglite-worker.ts',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: EXTERNAL_PACKAGES,
  // Bundled CommonJS dependencies call require(); ESM output has none unless it is created.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.mjs')) process.stdout.write(`${file} ${(bytes / 1024).toFixed(0)} KiB\n`);
}
