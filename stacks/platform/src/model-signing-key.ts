import {
  type Environment,
  MODEL_SIGNING_ALGORITHM,
  type PolicyDocument,
  policyDocument,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** What `glyco publish --kms-signing-key` signs with (see kms-signer.ts in @glyco/registry). */
export const MODEL_SIGNING_KEY_SPEC = 'ECC_NIST_P256';

export interface ModelSigningKeyArgs {
  env: Environment;
  name: (purpose: string) => string;
  accountId: string;
  /**
   * The roles that may sign models (the pipeline's deploy role, the jobs stack's job), by ARN: a role's sessions carry its ARN as
   * `aws:PrincipalArn`, and a role named here need not exist yet (it is matched by condition, not as a principal).
   */
  signerRoleArns: pulumi.Input<string>[];
  /** Refuse to schedule the key's deletion (prod): every model signed with it would stop loading. */
  protect: boolean;
  tags: Tags;
}

/**
 * The key policy of the model signing key (the primary control of a KMS key:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html):
 * - the account administers the key through IAM, with the key administrators' actions of
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html, which hold no kms:Sign (so no
 *   IAM policy can grant Sign);
 * - everyone in the account may read the public key and verify (`kms:CallerAccount`);
 * - the signer roles may sign, with ECDSA_SHA_256 only;
 * - and kms:Sign is denied to every other principal, whatever else allows it.
 * `aws:PrincipalArn` is the role's ARN for its sessions:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export function modelSigningKeyPolicy(accountId: string, signerRoleArns: string[]): PolicyDocument {
  return policyDocument([
    {
      Sid: 'AccountAdministersTheKeyButCannotSign',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: [
        'kms:Create*',
        'kms:Describe*',
        'kms:Enable*',
        'kms:List*',
        'kms:Put*',
        'kms:Update*',
        'kms:Revoke*',
        'kms:Disable*',
        'kms:Get*',
        'kms:Delete*',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
      ],
      Resource: '*',
    },
    {
      Sid: 'AccountReadsThePublicKeyAndVerifies',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:GetPublicKey', 'kms:Verify', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': accountId } },
    },
    {
      Sid: 'PipelineSignsModels',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Sign',
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': signerRoleArns },
        StringEquals: { 'kms:CallerAccount': accountId, 'kms:SigningAlgorithm': MODEL_SIGNING_ALGORITHM },
      },
    },
    {
      Sid: 'NobodyElseSigns',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:Sign',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': signerRoleArns } },
    },
  ]);
}

/**
 * The environment's model signing key: an asymmetric KMS key (SIGN_VERIFY, ECC_NIST_P256) whose private half never
 * leaves KMS. The pipeline signs each model's manifest with it at publish; the servers verify with its public
 * key, exported here as PEM so that they need no KMS call (and no KMS permission) to load a model.
 */
export class ModelSigningKey extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly publicKeyPem: pulumi.Output<string>;

  constructor(logicalName: string, args: ModelSigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:ModelSigningKey', logicalName, {}, opts);
    const { env, name, tags } = args;
    const key = new aws.kms.Key(
      name('model-signing'),
      {
        description: `Glyco ${env}: signs model manifests at publish; servers verify with its public key`,
        keyUsage: 'SIGN_VERIFY',
        customerMasterKeySpec: MODEL_SIGNING_KEY_SPEC,
        deletionWindowInDays: 30,
        policy: pulumi
          .all(args.signerRoleArns)
          .apply((signers) => JSON.stringify(modelSigningKeyPolicy(args.accountId, signers))),
        tags,
      },
      { parent: this, protect: args.protect },
    );
    new aws.kms.Alias(
      name('model-signing'),
      { name: `alias/${name('model-signing')}`, targetKeyId: key.keyId },
      { parent: this },
    );
    this.arn = key.arn;
    // terraform-provider-aws internal/service/kms/public_key_data_source.go: one kms:GetPublicKey call.
    this.publicKeyPem = aws.kms.getPublicKeyOutput({ keyId: key.arn }, { parent: this }).publicKeyPem;
    this.registerOutputs({ arn: this.arn, publicKeyPem: this.publicKeyPem });
  }
}
