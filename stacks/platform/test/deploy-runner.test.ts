import { readFileSync } from 'node:fs';
import {
  decideWithin,
  ENVIRONMENTS,
  evaluate,
  OPTIONAL_PLATFORM_OUTPUT_KEYS,
  RULES,
  statementsOf,
} from '@glyco/infra';
import {
  boundaryGaps,
  fixtureBoundary,
  outputsMissingFromReadme,
  runStack,
  type StackRun,
  single,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_WORKFLOW_NAME, deployRunnerPolicy } from '../src/deploy-runner.ts';
import { platform } from '../src/platform.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const CONNECTION =
  'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const run = (env: (typeof ENVIRONMENTS)[number], configOverrides: Record<string, unknown> = {}) =>
  runStack({
    project: 'glyco-platform',
    stack: env,
    stackDir,
    program: platform,
    configOverrides: { githubRepository: 'acme/glyco', ...configOverrides },
  });

describe('the CodeBuild deploy runner', () => {
  it.each(ENVIRONMENTS)('is off unless configured (%s)', async (env) => {
    const stack = await run(env);
    expect(stack.resources.filter((r) => r.type.startsWith('aws:codebuild/'))).toEqual([]);
    expect(stack.outputs.deployRunnerProject).toBeUndefined();
  });

  it('refuses to start without the GitHub connection, naming the key', async () => {
    await expect(run('prod', { deployRunner: 'codebuild' })).rejects.toThrow(
      /Config "githubConnectionArn" must be the ARN of an available CodeConnections connection/,
    );
  });

  describe('when prod runs it', () => {
    let stack: StackRun;
    beforeAll(async () => {
      stack = await run('prod', { deployRunner: 'codebuild', githubConnectionArn: CONNECTION });
    });

    it('runs GitHub Actions jobs of the repository in the private subnets, through the connection', () => {
      const project = single(stack, 'aws:codebuild/project:Project').props;
      expect(project).toMatchObject({
        name: 'glyco-prod-deploy-runner',
        source: {
          type: 'GITHUB',
          location: 'https://github.com/acme/glyco.git',
          auth: { type: 'CODECONNECTIONS', resource: CONNECTION },
        },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:8.0', privilegedMode: false },
        vpcConfig: { vpcId: 'vpc-0a1b2c3d4e5f60718', subnets: ['subnet-private-a', 'subnet-private-b'] },
        buildTimeout: 180,
      });
      expect(stack.outputs).toMatchObject({
        deployRunnerProject: 'glyco-prod-deploy-runner',
        deployRunnerSecurityGroupId: expect.any(String),
      });
      // With the runner on, every optional output a target may read is there (the eks stack admits the group).
      for (const key of OPTIONAL_PLATFORM_OUTPUT_KEYS) expect(stack.outputs[key], key).toBeDefined();
    });

    it("names every output, the runner's included, in the README's table of outputs", () => {
      expect(outputsMissingFromReadme('platform', stack.outputs)).toEqual([]);
    });

    it('starts a build for each queued job of the Deploy workflow only', () => {
      const webhook = single(stack, 'aws:codebuild/webhook:Webhook').props;
      expect(webhook.filterGroups).toEqual([
        {
          filters: [
            { type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' },
            { type: 'WORKFLOW_NAME', pattern: '^Deploy$' },
          ],
        },
      ]);
      const workflow = parse(
        readFileSync(new URL('../../../.github/workflows/deploy.yml', import.meta.url), 'utf8'),
      );
      expect(workflow.name).toBe(DEPLOY_WORKFLOW_NAME);
    });

    it('gives the runner a bounded role that only CodeBuild, for this project, assumes', () => {
      const role = single(stack, 'aws:iam/role:Role', 'deploy-runner').props;
      expect(role.permissionsBoundary).toBe('arn:aws:iam::123456789012:policy/glyco-prod-workload-boundary');
      expect(statementsOf(role.assumeRolePolicy)[0]?.Condition).toEqual({
        ArnLike: {
          'aws:SourceArn': 'arn:aws:codebuild:eu-west-1:123456789012:project/glyco-prod-deploy-runner',
        },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
      });
      const boundary = JSON.parse(
        String(single(stack, 'aws:iam/policy:Policy', 'workload-boundary').props.policy),
      );
      expect(
        boundaryGaps(stack, 'prod', { arn: String(role.permissionsBoundary), policy: boundary }),
      ).toEqual([]);
      expect(evaluate(stack.resources, RULES)).toEqual([]);
    });
  });
});

describe('the deploy runner role', () => {
  const subnet = 'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-private-a';
  const policy = deployRunnerPolicy({
    accountId: '123456789012',
    region: 'eu-west-1',
    logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/glyco-prod-deploy-runner',
    connectionArn: CONNECTION,
    subnetArns: [subnet],
  });
  const asRunner = (action: string, resource: string, context: Record<string, string> = {}) =>
    decideWithin([policy], fixtureBoundary('prod').policy, { action, resource, context });
  const eni = 'arn:aws:ec2:eu-west-1:123456789012:network-interface/eni-0123';

  it('attaches to the private subnets for CodeBuild, and nowhere else', () => {
    const attach = (onSubnet: string) =>
      asRunner('ec2:CreateNetworkInterfacePermission', eni, {
        'ec2:AuthorizedService': 'codebuild.amazonaws.com',
        'ec2:Subnet': onSubnet,
      });
    expect(attach(subnet)).toBe('allowed');
    expect(attach('arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-public-a')).toBe('implicitly-denied');
    expect(asRunner('ec2:CreateNetworkInterface', '*')).toBe('allowed');
  });

  it('reads GitHub tokens from its connection, within the boundary, and deploys nothing itself', () => {
    expect(asRunner('codeconnections:GetConnectionToken', CONNECTION)).toBe('allowed');
    expect(asRunner('codeconnections:GetConnectionToken', `${CONNECTION.slice(0, -4)}ffff`)).toBe(
      'implicitly-denied',
    );
    for (const action of ['eks:DescribeCluster', 'ecr:PutImage', 'sts:AssumeRole', 'iam:PassRole']) {
      expect(asRunner(action, '*'), action).toBe('implicitly-denied');
    }
  });
});
