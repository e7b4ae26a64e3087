import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A worker thread's module, found beside the module that starts it (`besideUrl`, its `import.meta.url`): in an
 * esbuild bundle, whose code all lives in one file, the entry point `<name>.mjs` built beside it; in the source
 * tree, `<name>.ts` beside that file. Throws `missing` when neither is there: a bundle left the entry point out.
 */
export function workerModule(name: string, besideUrl: string, missing: () => Error): URL {
  for (const file of [`./${name}.mjs`, `./${name}.ts`]) {
    const url = new URL(file, besideUrl);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw missing();
}
