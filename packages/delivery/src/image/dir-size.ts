import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of every file under `dir` (as `du --apparent-size -b` counts them), links not followed. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
