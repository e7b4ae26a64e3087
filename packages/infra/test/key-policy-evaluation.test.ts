import { describe, expect, it } from 'vitest';
import { decideKeyAccess, type EvaluableDocument, type EvaluableStatement } from '../src/index.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/k';
const ALICE = 'arn:aws:iam::111122223333:role/alice';
const BOB = 'arn:aws:iam::111122223333:role/bob';
const caller = (arn: string, ...identityPolicies: EvaluableDocument[]) => ({
  arn,
  account: arn.split(':')[4]!,
  identityPolicies,
});
const allowsKms: EvaluableDocument = { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const sign = { action: 'kms:Sign', keyArn: KEY };
const describeKey = { action: 'kms:DescribeKey', keyArn: KEY };

describe('a KMS key policy, as KMS decides it', () => {
  const statements: EvaluableStatement[] = [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:Describe*',
      Resource: '*',
    },
    { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Sign', Resource: '*' },
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:Sign',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': ALICE } },
    },
  ];
  const policy: EvaluableDocument = { Statement: statements };

  it('allows a principal it names, without any IAM policy of its own', () => {
    expect(decideKeyAccess(policy, caller(ALICE), sign)).toBe('allowed');
  });

  it("allows through the account only what the caller's IAM policies allow too", () => {
    expect(decideKeyAccess(policy, caller(BOB), describeKey)).toBe('implicitly-denied');
    expect(decideKeyAccess(policy, caller(BOB, allowsKms), describeKey)).toBe('allowed');
  });

  it("lets its Deny win over the caller's own Allow", () => {
    expect(decideKeyAccess(policy, caller(BOB, allowsKms), sign)).toBe('explicitly-denied');
  });

  it('grants nothing through the account that the key policy does not, and nothing to another account', () => {
    const withoutDeny = { Statement: statements.slice(0, 2) };
    expect(decideKeyAccess(withoutDeny, caller(BOB, allowsKms), sign)).toBe('implicitly-denied');
    const stranger = caller('arn:aws:iam::999999999999:role/eve', allowsKms);
    expect(decideKeyAccess(policy, stranger, describeKey)).toBe('implicitly-denied');
  });
});
