import { LOG_BUNDLE } from '@glyco/prediction-log/bundling';
import type { BuildOptions } from 'esbuild';

/**
 * onnxruntime-node loads a native binding; swagger-ui-dist is read as files (the `/docs` assets); the prediction
 * log names its own (PGlite's wasm). The app directory ships them in node_modules.
 */
const EXTERNAL_PACKAGES = ['onnxruntime-node', 'swagger-ui-dist', ...LOG_BUNDLE.external];

/**
 * How every bundle of this package is built: by `scripts/build.ts` for dist/, and by the tests that check what a
 * bundle needs, so they test the settings that ship.
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
