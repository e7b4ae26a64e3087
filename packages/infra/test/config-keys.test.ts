import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url).pathname;
const STACKS = ['platform', 'lambda', 'ecs', 'eks', 'jobs'];
const CONFIG_READ = /config\.(?:get|require|getNumber|getBoolean|getObject)(?:<[^>]*>)?\('([A-Za-z0-9]+)'/g;
/** A Fargate task size read under two keys: `readFargateSize(config, { cpu: 'jobCpu', memoryMb: 'jobMemoryMb' }, …)`. */
const FARGATE_SIZE_READ =
  /readFargateSize\(\s*config,\s*\{\s*cpu: '([A-Za-z0-9]+)',\s*memoryMb: '([A-Za-z0-9]+)'/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The config keys a stack's program can read: its own sources, and for the targets the shared target readers. */
function keysRead(stack: string): Set<string> {
  const files = sources(join(root, 'stacks', stack, 'src'));
  if (stack !== 'platform') {
    files.push(
      join(root, 'packages/infra/src/workload-config.ts'),
      ...sources(join(root, 'packages/infra/src/target')),
    );
  }
  const texts = files.map((file) => readFileSync(file, 'utf8'));
  return new Set(
    texts.flatMap((text) => [
      ...[...text.matchAll(CONFIG_READ)].map((match) => match[1]!),
      ...[...text.matchAll(FARGATE_SIZE_READ)].flatMap((match) => [match[1]!, match[2]!]),
    ]),
  );
}

describe('stack config keys', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const deploySection = readme.slice(readme.indexOf('## Deploy to AWS'));

  it.each(STACKS)('%s reads only keys that the README documents', (stack) => {
    const undocumented = [...keysRead(stack)].filter((key) => !deploySection.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it.each(STACKS.flatMap((stack) => ['dev', 'prod'].map((env) => [stack, env])))(
    '%s Pulumi.%s.yaml sets only keys its program reads',
    (stack, env) => {
      const file = parse(readFileSync(join(root, 'stacks', stack, `Pulumi.${env}.yaml`), 'utf8')) as {
        config: Record<string, unknown>;
      };
      const own = Object.keys(file.config)
        .filter((key) => key.startsWith(`glyco-${stack}:`))
        .map((key) => key.split(':')[1]!);
      const read = keysRead(stack);
      expect(own.filter((key) => !read.has(key))).toEqual([]);
      expect(Object.keys(file.config).filter((key) => !key.startsWith(`glyco-${stack}:`))).toEqual([
        'aws:region',
      ]);
    },
  );
});
