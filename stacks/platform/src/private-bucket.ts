import { type PolicyStatement, policyDocument, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

export interface PrivateBucketArgs {
  /** Globally unique bucket name. */
  bucketName: string;
  /** Keep every object version (the lifecycle then expires old ones). */
  versioned: boolean;
  /** Refuse to delete or replace the bucket (prod). */
  protect: boolean;
  /** Who besides the account may write, beyond the policy's "TLS only". */
  grants?: (bucketArn: string) => PolicyStatement[];
  lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  tags: Tags;
}

/**
 * A bucket as every bucket of the platform is: SSE-S3, ACLs disabled (bucket owner enforced), every public
 * access blocked, a policy that denies any request without TLS, and a lifecycle. Its resources are children of
 * `parent`, named `name`.
 */
export function privateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(
    name,
    { bucket: args.bucketName, tags: args.tags },
    { parent, protect: args.protect },
  );
  const versioning =
    args.versioned &&
    new aws.s3.BucketVersioning(
      name,
      { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } },
      { parent },
    );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    { parent },
  );
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
  new aws.s3.BucketPolicy(
    name,
    {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) =>
        JSON.stringify(
          policyDocument([...tlsOnlyBucketPolicy(arn).Statement, ...(args.grants?.(arn) ?? [])]),
        ),
      ),
    },
    { parent, dependsOn: [publicAccessBlock] },
  );
  new aws.s3.BucketLifecycleConfiguration(
    name,
    { bucket: bucket.id, rules: args.lifecycleRules },
    { parent, dependsOn: versioning ? [versioning] : [] },
  );
  return bucket;
}

export function tlsOnlyBucketPolicy(bucketArn: string) {
  return policyDocument([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}
