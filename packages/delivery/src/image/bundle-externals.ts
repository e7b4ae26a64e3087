import { builtinModules } from 'node:module';
import { build } from 'esbuild';

/**
 * The npm packages that built bundles still import at run time (the ones the bundler left external): exactly
 * what the app's node_modules must hold. esbuild re-reads the bundles and reports every static import,
 * dynamic `import()` with a literal and `require()` call it could not inline.
 */
export async function externalPackages(bundleFiles: string[]): Promise<string[]> {
  const result = await build({
    entryPoints: bundleFiles,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'unused',
    logLevel: 'silent',
  });
  const names = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      const name = imported.external ? packageName(imported.path) : undefined;
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; Node built-ins and paths → undefined. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/'))
    return undefined;
  const parts = specifier.split('/');
  if (builtinModules.includes(parts[0]!)) return undefined;
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
