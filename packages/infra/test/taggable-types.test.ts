import { describe, expect, it } from 'vitest';
import { evaluate, RULES } from '../src/index.ts';
import { acceptsTags } from '../src/policy/taggable-types.ts';

describe('which AWS types take tags, from @pulumi/aws', () => {
  it.each([
    ['aws:s3/bucket:Bucket', true],
    ['aws:ec2/subnet:Subnet', true],
    ['aws:ec2/natGateway:NatGateway', true],
    ['aws:ec2/route:Route', false],
    ['aws:ec2/routeTableAssociation:RouteTableAssociation', false],
    ['aws:ec2/securityGroupRule:SecurityGroupRule', false],
    ['aws:iam/rolePolicy:RolePolicy', false],
    // Modules whose file differs from the token in case or spelling.
    ['aws:glue/mLTransform:MLTransform', true],
    ['aws:kendra/index:Index', true],
  ])('%s: %s', (type, expected) => {
    expect(acceptsTags(type)).toBe(expected);
  });

  it('knows no type that @pulumi/aws does not declare', () => {
    expect(acceptsTags('aws:ec2/notAThing:NotAThing')).toBeUndefined();
    expect(acceptsTags('aws:nowhere/route:Route')).toBeUndefined();
  });

  it('makes the tag rule report an undeclared aws: type instead of letting it pass', () => {
    const tagRule = RULES.filter((rule) => rule.name === 'required-tags');
    const violations = evaluate([{ type: 'aws:ec2/notAThing:NotAThing', name: 'x', props: {} }], tagRule);
    expect(violations.map((violation) => violation.message)).toEqual([
      '@pulumi/aws declares no resource aws:ec2/notAThing:NotAThing, so whether it takes tags is unknown',
    ]);
  });
});
