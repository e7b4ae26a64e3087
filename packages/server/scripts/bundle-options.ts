import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LOG_BUNDLE } from '@glyco/prediction-log/bundling';
import { type BuildOptions, build } from 'esbuild';
import { ENGINE_WORKER } from '../src/batch/worker-model.ts';

/**
 * onnxruntime-node loads a native binding; swagger-ui-dist is read as files (the `/docs` assets); the prediction
 * log names its own (PGlite's wasm). The app directory ships them in node_modules.
 */
const EXTERNAL_PACKAGES = ['onnxruntime-node', 'swagger-ui-dist', ...LOG_BUNDLE.external];

/**
 * What a bundler must know to bundle batch scoring (`openWorkerModel`, which `glyco score` runs; the jobs image's
 * dist/ does): the model runs on a worker thread, whose module must be built beside the bundle under the name
 * `worker-model.ts` looks for.
 */
export const SCORING_BUNDLE = {
  entryPoints: {
    [ENGINE_WORKER]: fileURLToPath(new URL(`../src/batch/${ENGINE_WORKER}.ts`, import.meta.url)),
  },
};

/**
 * How every bundle of this package is built: by `scripts/build.ts` for dist/, and by the tests that check what a
 * bundle needs, so they test the settings that ship. The CLI's bundle (`glyco serve` runs this app) too.
 */
export function bundleOptions(entryPoints: Record<string, string>, outdir: string): BuildOptions {
  return {
    entryPoints,
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
  };
}

/**
 * Empties `outdir` and builds the entry points (name → source file, relative to `packageDir`) into it as
 * `<name>.mjs`, with linked source maps and licences; prints each bundle's size.
 */
export async function buildBundles(
  entryPoints: Record<string, string>,
  packageDir: string,
  outdir: string,
): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...bundleOptions(entryPoints, outdir),
    absWorkingDir: packageDir,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.mjs')) process.stdout.write(`${file} ${(bytes / 1024).toFixed(0)} KiB\n`);
  }
}
