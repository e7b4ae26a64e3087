import { describe, expect, it } from 'vitest';
import { RULES, STACK_RULES } from '../src/index.ts';
import { policyPackPolicies } from '../src/policy/pack.ts';

describe('the PolicyPack', () => {
  const policies = policyPackPolicies();

  it('exports every rule as a mandatory policy', () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(
      [...RULES, ...STACK_RULES].map((r) => [r.name, 'mandatory']),
    );
  });

  it('reports what the rule finds, and only for the types the rule inspects', () => {
    const rds = policies.find((p) => p.name === 'rds-encrypted-and-private')!;
    const reported: string[] = [];
    const validate = (type: string, props: object) =>
      (
        (rds as { validateResource: unknown }).validateResource as (
          args: object,
          report: (message: string) => void,
        ) => void
      )(
        {
          type,
          name: 'db',
          urn: `urn:pulumi:prod::glyco-platform::${type}::db`,
          props,
          opts: { protect: false },
        },
        (message) => reported.push(message),
      );
    validate('aws:rds/instance:Instance', { storageEncrypted: false, publiclyAccessible: false });
    validate('aws:s3/bucket:Bucket', { storageEncrypted: false });
    expect(reported).toEqual(['storageEncrypted must be true']);
  });
});

describe('the stack policies', () => {
  it('see the whole stack: a prod load balancer without a web ACL association is reported', () => {
    const policy = policyPackPolicies().find((p) => p.name === 'prod-load-balancers-behind-waf')!;
    const validate = (policy as { validateStack: (args: object, report: (m: string) => void) => void })
      .validateStack;
    const resource = (type: string, props: object) => ({
      type,
      name: 'r',
      urn: `urn:${type}`,
      props,
      opts: {},
    });
    const reported: string[] = [];
    const lb = resource('aws:lb/loadBalancer:LoadBalancer', {
      internal: false,
      tags: { environment: 'prod' },
    });
    validate({ resources: [lb] }, (message) => reported.push(message));
    validate({ resources: [lb, resource('aws:wafv2/webAclAssociation:WebAclAssociation', {})] }, (message) =>
      reported.push(message),
    );
    expect(reported).toEqual(['1 internet-facing load balancer(s) but 0 web ACL association(s)']);
  });
});
