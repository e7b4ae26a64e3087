import { createPublicKey } from 'node:crypto';
import { decideKeyAccess, ENVIRONMENTS, type EvaluableDocument, workloadBoundaryPolicy } from '@glyco/infra';
import {
  runStack,
  single,
  TEST_ACCOUNT_ID,
  TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
  TEST_REGION,
} from '@glyco/infra/testing';
import { describe, expect, it } from 'vitest';
import { platform } from '../src/platform.ts';

/**
 * The platform's model signing key: only the pipeline's deploy role signs, everyone in the account reads the
 * public key and verifies, and the target stacks get the public key as PEM. Who may do what is decided by the
 * IAM evaluator over the key policy the program declares, as KMS decides it (decideKeyAccess).
 */

const role = (name: string) => `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${name}`;
const EVERYTHING: EvaluableDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** AWS-managed PowerUserAccess as the deploy role has it (see github-roles.test.ts for its source). */
const POWER_USER: EvaluableDocument = {
  Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }],
};

async function signingKey(env: (typeof ENVIRONMENTS)[number]) {
  const run = await runStack({
    project: 'glyco-platform',
    stack: env,
    stackDir: new URL('..', import.meta.url).pathname,
    program: platform,
    configOverrides: { githubRepository: 'acme/glyco' },
  });
  const key = single(run, 'aws:kms/key:Key', 'model-signing');
  return { run, key, policy: JSON.parse(String(key.props.policy)) as EvaluableDocument };
}

describe.each(ENVIRONMENTS)('the %s model signing key', (env) => {
  it('is an asymmetric ECC_NIST_P256 signing key, protected in prod, with an alias', async () => {
    const { run, key } = await signingKey(env);
    expect(key.props).toMatchObject({
      keyUsage: 'SIGN_VERIFY',
      customerMasterKeySpec: 'ECC_NIST_P256',
      deletionWindowInDays: 30,
    });
    expect(key.protect).toBe(env === 'prod');
    expect(single(run, 'aws:kms/alias:Alias', 'model-signing').props.name).toBe(
      `alias/glyco-${env}-model-signing`,
    );
  });

  it('lets only the deploy role and the retrain job sign; a serving role, an administrator and any other role cannot', async () => {
    const { key, policy } = await signingKey(env);
    const keyArn = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${key.name}`;
    const sign = { action: 'kms:Sign', keyArn, context: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } };
    const caller = (arn: string, ...identityPolicies: EvaluableDocument[]) => ({
      arn,
      account: TEST_ACCOUNT_ID,
      identityPolicies,
    });
    const deploy = caller(role(`glyco-${env}-github-deploy`), POWER_USER);
    expect(decideKeyAccess(policy, deploy, sign)).toBe('allowed');
    // Another algorithm than the one the servers verify is refused.
    const rsa = { ...sign, context: { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256' } };
    expect(decideKeyAccess(policy, deploy, rsa)).toBe('implicitly-denied');

    // The retrain job signs the challengers it publishes, within its boundary (its role is made by the jobs stack).
    const boundary = workloadBoundaryPolicy({
      accountId: TEST_ACCOUNT_ID,
      region: TEST_REGION,
      env,
      modelBucketArn: 'arn:aws:s3:::bucket',
      dataKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/data',
    });
    const job = caller(role(`glyco-${env}-job-task`), EVERYTHING, boundary);
    const tagged = { 'aws:ResourceTag/project': 'glyco', 'aws:ResourceTag/environment': env };
    expect(decideKeyAccess(policy, job, { ...sign, context: { ...sign.context, ...tagged } })).toBe(
      'allowed',
    );
    // A serving or scoring role, even one whose policies allowed everything within its boundary.
    for (const workload of [`glyco-${env}-ecs-task`, `glyco-${env}-lambda`, `glyco-${env}-score-task`]) {
      expect(decideKeyAccess(policy, caller(role(workload), EVERYTHING, boundary), sign), workload).toBe(
        'explicitly-denied',
      );
    }
    // An administrator of the account, and the pull requests' preview role.
    expect(decideKeyAccess(policy, caller(role('Admin'), EVERYTHING), sign)).toBe('explicitly-denied');
    expect(decideKeyAccess(policy, caller(role(`glyco-${env}-github-preview`), EVERYTHING), sign)).toBe(
      'explicitly-denied',
    );
  });

  it('lets everyone in the account read the public key and verify, and the administrators manage the key', async () => {
    const { key, policy } = await signingKey(env);
    const keyArn = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${key.name}`;
    const anyRole = { arn: role(`glyco-${env}-ecs-task`), account: TEST_ACCOUNT_ID, identityPolicies: [] };
    for (const action of ['kms:GetPublicKey', 'kms:Verify']) {
      expect(decideKeyAccess(policy, anyRole, { action, keyArn }), action).toBe('allowed');
    }
    const stranger = {
      arn: 'arn:aws:iam::999999999999:role/x',
      account: '999999999999',
      identityPolicies: [EVERYTHING],
    };
    expect(decideKeyAccess(policy, stranger, { action: 'kms:GetPublicKey', keyArn })).toBe(
      'implicitly-denied',
    );
    const admin = { arn: role('Admin'), account: TEST_ACCOUNT_ID, identityPolicies: [EVERYTHING] };
    expect(decideKeyAccess(policy, admin, { action: 'kms:PutKeyPolicy', keyArn })).toBe('allowed');
    expect(decideKeyAccess(policy, admin, { action: 'kms:ScheduleKeyDeletion', keyArn })).toBe('allowed');
  });

  it('exports the key and its public key, which the target stacks pass to the app', async () => {
    const { run } = await signingKey(env);
    expect(run.outputs.modelSigningKeyArn).toMatch(/^arn:aws:kms:.*:key\/glyco-\w+-model-signing$/);
    expect(run.outputs.modelSigningPublicKeyPem).toBe(TEST_MODEL_SIGNING_PUBLIC_KEY_PEM);
    expect(
      createPublicKey(String(run.outputs.modelSigningPublicKeyPem)).asymmetricKeyDetails?.namedCurve,
    ).toBe('prime256v1');
    const lookup = run.invokes.find((invoke) => invoke.token === 'aws:kms/getPublicKey:getPublicKey');
    expect(lookup?.inputs.keyId).toBe(run.outputs.modelSigningKeyArn);
  });
});
