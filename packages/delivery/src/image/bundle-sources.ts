import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/**
 * The workspace packages (by package.json name) whose source files the bundles in `distDir` were built from, as
 * their source maps list them: what code an app directory carries, whatever path brought it in. The maps name
 * sources relative to the directory the build wrote them to, so `distDir` is that directory, not a copy.
 */
export async function bundledWorkspacePackages(distDir: string, root: string): Promise<string[]> {
  const maps = (await readdir(distDir)).filter((file) => file.endsWith('.mjs.map'));
  const packageDirs = new Set<string>();
  for (const map of maps) {
    const { sources = [] } = JSON.parse(await readFile(join(distDir, map), 'utf8')) as { sources?: string[] };
    for (const source of sources) {
      const [top, name] = relative(root, resolve(distDir, source)).split(sep);
      if (top === 'packages' && name) packageDirs.add(join(root, top, name));
    }
  }
  const names = await Promise.all(
    [...packageDirs].map(
      async (dir) => (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string }).name,
    ),
  );
  return names.sort();
}
