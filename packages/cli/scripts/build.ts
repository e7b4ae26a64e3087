/**
 * Bundles the `glyco` command into dist/ for the jobs image: `glyco.mjs` (every command, the trainer included),
 * and beside it the worker entry points its packages look for by name: the embedded log's database thread
 * (`pglite-worker.mjs`), the trainer's fitting thread (`fit-worker.mjs`) and `glyco score`'s model thread
 * (`engine-worker.mjs`). Built with the server's settings
 * (`glyco serve` runs its app), so the same packages stay external and ship in node_modules.
 * Run: `pnpm nx run @glyco/cli:build`.
 */
import { fileURLToPath } from 'node:url';
import { LOG_BUNDLE } from '@glyco/prediction-log/bundling';
import { buildBundles, SCORING_BUNDLE } from '@glyco/server/bundling';
import { TRAINER_BUNDLE } from '@glyco/trainer/bundling';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
await buildBundles(
  {
    glyco: 'src/main.ts',
    ...LOG_BUNDLE.entryPoints,
    ...TRAINER_BUNDLE.entryPoints,
    ...SCORING_BUNDLE.entryPoints,
  },
  packageDir,
  process.argv[2] ?? `${packageDir}dist`,
);
