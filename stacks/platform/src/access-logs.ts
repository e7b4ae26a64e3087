import type { PolicyStatement, Tags } from '@glyco/infra';
import * as pulumi from '@pulumi/pulumi';
import { privateBucket } from './private-bucket.ts';

/** Where each writer puts its logs in the bucket; the bucket policy lets each write only there. */
export const ACCESS_LOG_PREFIXES = {
  /** Load balancers: `alb`, or `alb/<target>` (e.g. `alb/ecs`), as their `access_logs.s3.prefix`. */
  loadBalancers: 'alb',
  vpcFlowLogs: 'vpc-flow-logs',
} as const;

export interface AccessLogBucketArgs {
  bucketName: string;
  accountId: string;
  region: string;
  /** Days a log object is kept. */
  retentionDays: number;
  /** Refuse to delete or replace the bucket (prod). */
  protect: boolean;
  tags: Tags;
}

/**
 * The bucket for the environment's network logs: the load balancers' access logs and the VPC flow logs, each
 * expiring after the retention. Its SSE-S3 is the only server-side encryption ALB access logs support (Elastic Load
 * Balancing User Guide, "Enable access logs for your Application Load Balancer", step 1).
 */
export class AccessLogBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(logicalName: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:AccessLogBucket', logicalName, {}, opts);
    const bucket = privateBucket(
      args.bucketName,
      {
        bucketName: args.bucketName,
        versioned: false,
        protect: args.protect,
        grants: (bucketArn) =>
          logDeliveryGrants({ bucketArn, accountId: args.accountId, region: args.region }),
        lifecycleRules: [
          {
            id: 'expire-logs',
            status: 'Enabled',
            filter: {},
            expiration: { days: args.retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
        tags: args.tags,
      },
      this,
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}

/**
 * Elastic Load Balancing's log delivery writes under `alb/…/AWSLogs/<account>/` (the service
 * principal that ELB's guide recommends in every Region, with the account in the path so only this account's
 * load balancers write); VPC flow logs' delivery service under `vpc-flow-logs/AWSLogs/<account>/`, on behalf of
 * this account only (Amazon VPC User Guide, "Amazon S3 bucket permissions for flow logs").
 */
export function logDeliveryGrants(args: {
  bucketArn: string;
  accountId: string;
  region: string;
}): PolicyStatement[] {
  const { bucketArn, accountId, region } = args;
  const fromThisAccount = {
    StringEquals: { 'aws:SourceAccount': accountId },
    ArnLike: { 'aws:SourceArn': `arn:aws:logs:${region}:${accountId}:*` },
  };
  const loadBalancers = ACCESS_LOG_PREFIXES.loadBalancers;
  return [
    {
      Sid: 'LoadBalancerAccessLogs',
      Effect: 'Allow',
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: [
        `${bucketArn}/${loadBalancers}/AWSLogs/${accountId}/*`,
        `${bucketArn}/${loadBalancers}/*/AWSLogs/${accountId}/*`,
      ],
    },
    {
      Sid: 'FlowLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/${ACCESS_LOG_PREFIXES.vpcFlowLogs}/AWSLogs/${accountId}/*`,
      Condition: {
        ...fromThisAccount,
        StringEquals: { ...fromThisAccount.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
    },
    {
      Sid: 'FlowLogDeliveryAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: fromThisAccount,
    },
  ];
}
