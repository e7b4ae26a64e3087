import { describe, expect, it } from 'vitest';
import { decide, decideWithin, type EvaluableStatement } from '../src/iam/evaluation.ts';

const doc = (...Statement: EvaluableStatement[]) => ({ Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*'): EvaluableStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
});
const BUCKET = 'arn:aws:s3:::glyco-dev-models-123456789012';

describe('IAM evaluation', () => {
  it('allows what an Allow matches, with wildcards in actions (any case) and resources (exact case)', () => {
    const policy = doc(allow('s3:Get*', `${BUCKET}/models/*`));
    expect(decide([policy], { action: 's3:getobject', resource: `${BUCKET}/models/a/b.onnx` })).toBe(
      'allowed',
    );
    expect(decide([policy], { action: 's3:PutObject', resource: `${BUCKET}/models/a` })).toBe(
      'implicitly-denied',
    );
    expect(decide([policy], { action: 's3:GetObject', resource: `${BUCKET}/MODELS/a` })).toBe(
      'implicitly-denied',
    );
  });

  it('lets an explicit Deny win over any Allow', () => {
    const policies = [
      doc(allow('iam:*')),
      doc({ Effect: 'Deny', Action: 'iam:CreatePolicyVersion', Resource: '*' }),
    ];
    expect(decide(policies, { action: 'iam:CreatePolicyVersion', resource: 'arn:aws:iam::1:policy/b' })).toBe(
      'explicitly-denied',
    );
  });

  it('reads NotAction as everything but the listed actions (the shape of PowerUserAccess)', () => {
    const powerUser = doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' });
    expect(decide([powerUser], { action: 'ec2:RunInstances', resource: '*' })).toBe('allowed');
    expect(decide([powerUser], { action: 'iam:ListOpenIDConnectProviders', resource: '*' })).toBe(
      'implicitly-denied',
    );
  });

  it('matches NotResource and a statement without Resource', () => {
    const policy = doc({ Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/*` });
    expect(decide([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::other/x' })).toBe(
      'explicitly-denied',
    );
    expect(decide([policy], { action: 's3:GetObject', resource: `${BUCKET}/x` })).toBe('implicitly-denied');
  });

  describe('conditions', () => {
    const TAG = 'aws:ResourceTag/elbv2.k8s.aws/cluster';
    const REQUEST_TAG = 'aws:RequestTag/elbv2.k8s.aws/cluster';
    const tagged = doc({ ...allow('ec2:DeleteSecurityGroup'), Condition: { Null: { [TAG]: 'false' } } });

    it('Null "false" needs the key, "true" needs it absent; keys compare in any case', () => {
      expect(decide([tagged], { action: 'ec2:DeleteSecurityGroup', resource: '*', context: {} })).toBe(
        'implicitly-denied',
      );
      expect(
        decide([tagged], {
          action: 'ec2:DeleteSecurityGroup',
          resource: '*',
          context: { [TAG.toUpperCase()]: 'glyco-dev-eks' },
        }),
      ).toBe('allowed');
      const untaggedRequest = doc({
        ...allow('ec2:CreateTags'),
        Condition: { Null: { [REQUEST_TAG]: 'true' } },
      });
      expect(decide([untaggedRequest], { action: 'ec2:CreateTags', resource: '*', context: {} })).toBe(
        'allowed',
      );
    });

    it('treats the values of one key as alternatives and several keys as all required', () => {
      const policy = doc({
        ...allow('iam:PassRole'),
        Condition: {
          StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
          StringLike: { 'aws:RequestedRegion': 'eu-*' },
        },
      });
      const request = (service: string, region: string) => ({
        action: 'iam:PassRole',
        resource: '*',
        context: { 'iam:PassedToService': service, 'aws:RequestedRegion': region },
      });
      expect(decide([policy], request('ecs-tasks.amazonaws.com', 'eu-west-1'))).toBe('allowed');
      expect(decide([policy], request('ec2.amazonaws.com', 'eu-west-1'))).toBe('implicitly-denied');
      expect(decide([policy], request('lambda.amazonaws.com', 'us-east-1'))).toBe('implicitly-denied');
    });

    it('holds a negated operator and an IfExists operator when the key is absent, and no other', () => {
      const negated = doc({
        ...allow('s3:GetObject'),
        Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } },
      });
      const ifExists = doc({
        ...allow('s3:GetObject'),
        Condition: { StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-1' } },
      });
      const plain = doc({
        ...allow('s3:GetObject'),
        Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
      });
      const request = { action: 's3:GetObject', resource: '*', context: {} };
      expect([decide([negated], request), decide([ifExists], request), decide([plain], request)]).toEqual([
        'allowed',
        'allowed',
        'implicitly-denied',
      ]);
      expect(decide([negated], { ...request, context: { 'aws:SourceVpc': 'vpc-1' } })).toBe(
        'implicitly-denied',
      );
    });

    it('compares ARNs part by part with wildcards (ArnLike), and multi-valued keys only with a set operator', () => {
      const cluster = doc({
        ...allow('sts:AssumeRole'),
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:123456789012:fargateprofile/glyco-dev-eks/*' },
        },
      });
      const assume = (sourceArn: string) => ({
        action: 'sts:AssumeRole',
        resource: '*',
        context: { 'aws:SourceArn': sourceArn },
      });
      expect(
        decide([cluster], assume('arn:aws:eks:eu-west-1:123456789012:fargateprofile/glyco-dev-eks/app/1')),
      ).toBe('allowed');
      expect(
        decide([cluster], assume('arn:aws:eks:eu-west-1:999999999999:fargateprofile/glyco-dev-eks/app/1')),
      ).toBe('implicitly-denied');
      const anyTag = doc({
        ...allow('ec2:CreateTags'),
        Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'kubernetes.io/cluster/*' } },
      });
      const tagKeys = { 'aws:TagKeys': ['Name', 'kubernetes.io/cluster/glyco'] };
      expect(decide([anyTag], { action: 'ec2:CreateTags', resource: '*', context: tagKeys })).toBe('allowed');
      const plain = doc({ ...allow('ec2:CreateTags'), Condition: { StringLike: { 'aws:TagKeys': 'x' } } });
      expect(() => decide([plain], { action: 'ec2:CreateTags', resource: '*', context: tagKeys })).toThrow(
        /ForAnyValue/,
      );
    });

    it('refuses an operator or a policy variable it cannot decide instead of guessing', () => {
      const numeric = doc({
        ...allow('s3:GetObject'),
        Condition: { NumericLessThan: { 's3:max-keys': '10' } },
      });
      expect(() =>
        decide([numeric], { action: 's3:GetObject', resource: '*', context: { 's3:max-keys': '5' } }),
      ).toThrow(/NumericLessThan is not evaluated/);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JavaScript template
      const variable = doc(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}/*'));
      expect(() => decide([variable], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/x/y' })).toThrow(
        /Policy variables/,
      );
    });
  });

  describe('permissions boundaries', () => {
    const boundary = doc(allow(['s3:GetObject', 'logs:PutLogEvents']));

    it('allow only what both the role policies and the boundary allow', () => {
      const role = [doc(allow(['s3:GetObject', 's3:PutObject']))];
      expect(decideWithin(role, boundary, { action: 's3:GetObject', resource: '*' })).toBe('allowed');
      expect(decideWithin(role, boundary, { action: 's3:PutObject', resource: '*' })).toBe(
        'implicitly-denied',
      );
      expect(decideWithin(role, boundary, { action: 'logs:PutLogEvents', resource: '*' })).toBe(
        'implicitly-denied',
      );
      expect(decideWithin(role, undefined, { action: 's3:PutObject', resource: '*' })).toBe('allowed');
    });

    it('report an explicit Deny of either side as such', () => {
      const denying = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
      expect(decideWithin([doc(allow('s3:*'))], denying, { action: 's3:GetObject', resource: '*' })).toBe(
        'explicitly-denied',
      );
    });
  });
});
