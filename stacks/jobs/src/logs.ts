import { type PolicyDocument, policyDocument, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface JobLogsArgs {
  /** `/jobs/glyco-<env>-jobs`: under /jobs/, which the job-logs-encrypted policy rule covers. */
  logGroupName: string;
  keyName: string;
  retentionDays: number;
  /** Refuse to schedule the key's deletion (prod): the logs it encrypts would become unreadable. */
  protect: boolean;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  tags: Tags;
}

/**
 * The key policy of a log group's own key: the account administers it (the default key policy's root
 * statement), and CloudWatch Logs may use it for that one log group, named by the encryption context
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html, "Step 2: Set permissions
 * on the KMS key").
 */
export function logGroupKeyPolicy(args: {
  accountId: string;
  region: string;
  logGroupName: string;
}): PolicyDocument {
  return policyDocument([
    {
      Sid: 'AdministerFromTheAccount',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${args.accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'CloudWatchLogsForThisLogGroup',
      Effect: 'Allow',
      Principal: { Service: `logs.${args.region}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${args.region}:${args.accountId}:log-group:${args.logGroupName}`,
        },
      },
    },
  ]);
}

/**
 * Where the job and the scorer log: one log group, kept for the configured days and encrypted with a key of its
 * own (a job's log describes the health data it read: drift per feature, rows scored, refused lines).
 */
export class JobLogs extends pulumi.ComponentResource {
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;

  constructor(name: string, args: JobLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:jobs:JobLogs', name, {}, opts);
    const parent = { parent: this };
    const key = new aws.kms.Key(
      args.keyName,
      {
        description: `Glyco: encrypts the job logs in ${args.logGroupName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([args.accountId, args.region])
          .apply(([accountId, region]) =>
            JSON.stringify(logGroupKeyPolicy({ accountId, region, logGroupName: args.logGroupName })),
          ),
        tags: args.tags,
      },
      { ...parent, protect: args.protect },
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      args.logGroupName.replace(/^\//, '').replaceAll('/', '-'),
      {
        name: args.logGroupName,
        retentionInDays: args.retentionDays,
        kmsKeyId: key.arn,
        tags: args.tags,
      },
      parent,
    );
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
    this.registerOutputs({ logGroupName: this.logGroupName });
  }
}
