import { describe, expect, it } from 'vitest';
import { RULES } from '../src/index.ts';
import { policyPackPolicies } from '../src/policy/pack.ts';

describe('the PolicyPack', () => {
  const policies = policyPackPolicies();

  it('exports every rule as a mandatory policy', () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual(
      RULES.map((r) => [r.name, 'mandatory']),
    );
  });

  it('reports what the rule finds, and only for the types the rule inspects', () => {
    const rds = policies.find((p) => p.name === 'rds-encrypted-and-private')!;
    const reported: string[] = [];
    const validate = (type: string, props: object) =>
      (rds.validateResource as (args: object, report: (message: string) => void) => void)(
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
