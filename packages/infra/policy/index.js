// Entry point of the policy pack: `pulumi preview --policy-pack packages/infra/policy` (see README).
import { PolicyPack } from '@pulumi/policy';
import { policyPackPolicies } from '../src/policy/pack.ts';

new PolicyPack('glyco', { policies: policyPackPolicies() });
