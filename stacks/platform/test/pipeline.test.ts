import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '@glyco/infra';
import { runStack, single } from '@glyco/infra/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PIPELINE_ACCESS_TYPE } from '../src/pipeline-access.ts';
import { platform } from '../src/platform.ts';

const root = new URL('../../../', import.meta.url).pathname;
const yaml = (path: string) => parse(readFileSync(join(root, path), 'utf8'));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/** The `with:` of the AWS credentials step of the deploy jobs' composite action. */
function deployCredentials(): Record<string, unknown> {
  const action = yaml('.github/actions/deploy-environment/action.yml') as { runs: { steps: Step[] } };
  const step = action.runs.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
  return step?.with ?? {};
}

describe('the deploy jobs and the deploy role agree on how long credentials last', () => {
  it.each(ENVIRONMENTS)(
    '%s: the job asks for the session the role allows, and ends before it does',
    async (env) => {
      const stack = await runStack({
        project: 'glyco-platform',
        stack: env,
        stackDir: new URL('..', import.meta.url).pathname,
        program: platform,
        configOverrides: { githubRepository: 'acme/glyco' },
      });
      const role = single(stack, 'aws:iam/role:Role', 'github-deploy').props;
      // A first deploy runs every stack in turn, EKS alone for 25–35 minutes: an hour is not enough.
      expect(role.maxSessionDuration).toBe(10_800);
      expect(Number(deployCredentials()['role-duration-seconds'])).toBe(role.maxSessionDuration);

      const deploy = yaml('.github/workflows/deploy.yml') as {
        jobs: Record<string, { 'timeout-minutes'?: number }>;
      };
      const timeout = deploy.jobs[`deploy-${env}`]?.['timeout-minutes'] ?? 360;
      expect(timeout * 60).toBeLessThanOrEqual(Number(role.maxSessionDuration));
    },
  );
});

describe('the pipeline preflight and the platform agree on what only an administrator changes', () => {
  it('finds the boundary, the GitHub OIDC provider and both GitHub roles under the component the script looks for', async () => {
    const stack = await runStack({
      project: 'glyco-platform',
      stack: 'prod',
      stackDir: new URL('..', import.meta.url).pathname,
      program: platform,
      configOverrides: { githubRepository: 'acme/glyco' },
    });
    const byUrn = new Map(stack.resources.map((resource) => [resource.urn, resource]));
    const ancestorTypes = (urn: string | undefined): string[] => {
      const resource = urn === undefined ? undefined : byUrn.get(urn);
      return resource ? [resource.type, ...ancestorTypes(resource.parent)] : [];
    };
    const guarded = stack.resources.filter(
      (r) =>
        r.name === 'glyco-prod-workload-boundary' ||
        r.type === 'aws:iam/openIdConnectProvider:OpenIdConnectProvider' ||
        /^glyco-prod-github-(deploy|preview)/.test(r.name),
    );
    expect(guarded.length).toBeGreaterThanOrEqual(8);
    for (const resource of guarded) {
      expect(ancestorTypes(resource.parent), resource.name).toContain(PIPELINE_ACCESS_TYPE);
    }
    const script = readFileSync(join(root, 'scripts/deploy-environment.sh'), 'utf8');
    expect(script).toContain(`PIPELINE_ACCESS_TYPE=${PIPELINE_ACCESS_TYPE}\n`);
  });
});
