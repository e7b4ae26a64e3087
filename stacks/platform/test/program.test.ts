import { ENVIRONMENTS, PLATFORM_OUTPUT_KEYS } from '@glyco/infra';
import {
  componentTypes,
  resourcesOutsideComponents,
  runProgramWithNode,
  runStack,
  type StackRun,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { platform } from '../src/platform.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const configOverrides = { githubRepository: 'acme/glyco' };

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

    it('registers every AWS resource under one of its components', () => {
      expect(resourcesOutsideComponents(stack)).toEqual([]);
      expect(componentTypes(stack)).toEqual(
        expect.arrayContaining([
          'glyco:platform:AccessLogBucket',
          'glyco:platform:Network',
          'glyco:platform:DataKey',
          'glyco:infra:ModelRegistry',
          'glyco:infra:ContainerRepository',
          'glyco:platform:PipelineAccess',
          'glyco:infra:PostgresDatabase',
        ]),
      );
    });
  });
});
