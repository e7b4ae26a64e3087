import type { Tags } from '@glyco/infra';
import * as pulumi from '@pulumi/pulumi';
import { privateBucket } from './private-bucket.ts';

export interface ModelRegistryArgs {
  /** Globally unique bucket name. */
  bucketName: string;
  /** Days an overwritten or deleted model version is kept before it expires. */
  noncurrentVersionDays: number;
  /** Refuse to delete or replace the bucket (prod). */
  protect: boolean;
  tags: Tags;
}

/**
 * The S3 model registry: versioned, encrypted, private to the account, reachable over TLS only, and old
 * versions expire so a long history does not cost forever.
 */
export class ModelRegistry extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: ModelRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:ModelRegistry', name, {}, opts);
    const bucket = privateBucket(
      name,
      {
        bucketName: args.bucketName,
        versioned: true,
        protect: args.protect,
        lifecycleRules: [
          {
            id: 'expire-noncurrent-versions',
            status: 'Enabled',
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
        tags: args.tags,
      },
      this,
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
