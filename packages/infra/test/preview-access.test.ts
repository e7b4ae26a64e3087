import { describe, expect, it } from 'vitest';
import { decide } from '../src/iam/evaluation.ts';
import {
  previewRoleRefusals,
  READ_ONLY_ACCESS,
  requestsAtPreview,
  type StackRun,
} from '../src/testing/index.ts';

const run = (invokes: StackRun['invokes'], resources: StackRun['resources'] = []): StackRun => ({
  resources,
  invokes,
  outputs: {},
  dependencies: new Map(),
});

describe('the AWS requests of a preview', () => {
  it("lists each lookup's calls, those of remote components, the provider's own credentials check and the program's SDK calls", () => {
    const lookups = run(
      [
        { token: 'aws:index/getRegion:getRegion', inputs: {}, result: { name: 'eu-west-1' } },
        {
          token: 'aws:route53/getZone:getZone',
          inputs: { name: 'example.com', privateZone: false },
          result: { zoneId: 'Z0EXAMPLE', name: 'example.com' },
        },
        {
          token: 'aws:ecr/getImage:getImage',
          inputs: { registryId: '123456789012', repositoryName: 'glyco-dev-app', mostRecent: true },
          result: {},
        },
      ],
      [{ type: 'awsx:ec2:Vpc', name: 'glyco-dev-vpc', props: {}, urn: 'urn:pulumi:dev::p::awsx:ec2:Vpc::v' }],
    );
    const repository = 'arn:aws:ecr:eu-west-1:123456789012:repository/glyco-dev-app';
    const sdkCall = { action: 'lambda:GetAccountSettings', resource: '*' };
    expect(requestsAtPreview(lookups, [sdkCall])).toEqual([
      { action: 'sts:GetCallerIdentity', resource: '*' },
      { action: 'route53:ListHostedZones', resource: '*' },
      { action: 'route53:GetHostedZone', resource: 'arn:aws:route53:::hostedzone/Z0EXAMPLE' },
      { action: 'route53:ListTagsForResource', resource: 'arn:aws:route53:::hostedzone/Z0EXAMPLE' },
      { action: 'ecr:DescribeImages', resource: repository },
      { action: 'ecr:DescribeRepositories', resource: repository },
      { action: 'ec2:DescribeAvailabilityZones', resource: '*' },
      sdkCall,
    ]);
    expect(previewRoleRefusals(lookups, [sdkCall])).toEqual([]);
  });

  it('looks a zone named by id up without listing every zone', () => {
    const byId = run([
      {
        token: 'aws:route53/getZone:getZone',
        inputs: { zoneId: 'Z0EXAMPLE' },
        result: { zoneId: 'Z0EXAMPLE', name: 'example.com' },
      },
    ]);
    expect(requestsAtPreview(byId).map((request) => request.action)).toEqual([
      'sts:GetCallerIdentity',
      'route53:GetHostedZone',
      'route53:ListTagsForResource',
    ]);
  });

  it('refuses to guess the calls of a lookup it has no model of', () => {
    const unknown = run([{ token: 'aws:ssm/getParameter:getParameter', inputs: { name: 'x' }, result: {} }]);
    expect(() => requestsAtPreview(unknown)).toThrow(/aws:ssm\/getParameter.*preview-access\.ts/);
  });
});

describe('the ReadOnlyAccess model', () => {
  it('reads configuration, not change it', () => {
    expect(decide([READ_ONLY_ACCESS], { action: 'ec2:DescribeVpcs', resource: '*' })).toBe('allowed');
    expect(decide([READ_ONLY_ACCESS], { action: 'ec2:CreateTags', resource: '*' })).toBe('implicitly-denied');
    expect(decide([READ_ONLY_ACCESS], { action: 'eks:UpdateClusterConfig', resource: '*' })).toBe(
      'implicitly-denied',
    );
  });
});
