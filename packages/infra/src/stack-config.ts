import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * A stack's committed `Pulumi.<stack>.yaml` as the flat `namespace:key` → string map the Pulumi engine hands a
 * program (objects and lists as JSON): what `pulumi up` of that stack reads, since Pulumi keeps a stack's config
 * in that file, not in the backend.
 */
export function committedConfig(stackDir: string, project: string, stack: string): Record<string, string> {
  const file = parse(readFileSync(join(stackDir, `Pulumi.${stack}.yaml`), 'utf8')) as {
    config?: object;
  } | null;
  return flattenConfig(project, { ...file?.config });
}

/** Config keys without a namespace go to the project's, as `pulumi config set` files them. */
export function flattenConfig(project: string, config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(':') ? key : `${project}:${key}`,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

/** The project name a stack directory's `Pulumi.yaml` gives (its config namespace). */
export function projectName(stackDir: string): string {
  const { name } = parse(readFileSync(join(stackDir, 'Pulumi.yaml'), 'utf8')) as { name: string };
  return name;
}
