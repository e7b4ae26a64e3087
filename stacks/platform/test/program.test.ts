import { ENVIRONMENTS, PLATFORM_OUTPUT_KEYS } from '@glyco/infra';
import { runProgramWithNode, runStack, type StackRun } from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { platform } from '../src/platform.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const configOverrides = { githubRepository: 'acme/glyco' };

/** The type of the resource a URN names (the last of its type chain). */
const typeOf = (urn: string | undefined) => urn?.split('::')[2]?.split('$').pop();

describe('the platform program', () => {
  it.each(ENVIRONMENTS)(
    'loads and runs under plain Node 24, as Pulumi runs index.ts (%s)',
    async (env) => {
      const run = await runProgramWithNode({
        project: 'glyco-platform',
        stack: env,
        stackDir,
        configOverrides,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(Object.keys(run.run?.outputs ?? {})).toEqual(expect.arrayContaining([...PLATFORM_OUTPUT_KEYS]));
    },
    60_000,
  );

  describe.each(ENVIRONMENTS)('reads as a tree in `pulumi preview` (%s)', (env) => {
    let stack: StackRun;
    beforeAll(async () => {
      stack = await runStack({
        project: 'glyco-platform',
        stack: env,
        stackDir,
        program: platform,
        configOverrides,
      });
    });

    it('registers nothing at the top level but its components', () => {
      const topLevel = stack.resources
        .filter((resource) => !resource.parent)
        .map((resource) => resource.type);
      expect(topLevel.every((type) => type.startsWith('glyco:'))).toBe(true);
      expect(new Set(topLevel).size).toBe(topLevel.length);
    });

    it('parents every AWS resource to one of its components, or to the awsx component that made it', () => {
      const orphans = stack.resources
        .filter((resource) => resource.type.startsWith('aws:'))
        .filter((resource) => !/^(glyco|awsx):/.test(typeOf(resource.parent) ?? ''))
        .map((resource) => `${resource.type} ${resource.name}`);
      expect(orphans).toEqual([]);
    });
  });
});
