import { eksClusterTrustPolicy, eksFargatePodExecutionTrustPolicy, statementsOf } from '@glyco/infra';
import { runStack, single, TEST_ACCOUNT_ID, TEST_IMAGE, TEST_REGION } from '@glyco/infra/testing';
import { describe, expect, it } from 'vitest';
import { eks } from '../src/eks.ts';

describe('the EKS service roles', () => {
  it('are trusted by EKS only for this cluster (cluster role) and its Fargate profiles (pod execution role)', async () => {
    const stack = await runStack({
      project: 'glyco-eks',
      stack: 'dev',
      stackDir: new URL('..', import.meta.url).pathname,
      program: eks,
      configOverrides: { org: 'acme', image: TEST_IMAGE },
    });
    const cluster = { accountId: TEST_ACCOUNT_ID, region: TEST_REGION, clusterName: 'glyco-dev-eks' };
    const trustOf = (suffix: string) =>
      statementsOf(single(stack, 'aws:iam/role:Role', suffix).props.assumeRolePolicy);
    expect(trustOf('eks-cluster')).toEqual(eksClusterTrustPolicy(cluster).Statement);
    expect(trustOf('eks-pod-execution')).toEqual(eksFargatePodExecutionTrustPolicy(cluster).Statement);
  });
});
