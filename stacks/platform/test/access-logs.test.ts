import { decide, type EvaluableStatement } from '@glyco/infra';
import { describe, expect, it } from 'vitest';
import { logDeliveryGrants } from '../src/access-logs.ts';
import { tlsOnlyBucketPolicy } from '../src/private-bucket.ts';

const ACCOUNT = '123456789012';
const BUCKET = `arn:aws:s3:::glyco-prod-access-logs-${ACCOUNT}`;
/** The bucket's policy as the platform writes it: TLS only, then the log writers' grants. */
const policy = {
  Statement: [
    ...tlsOnlyBucketPolicy(BUCKET).Statement,
    ...logDeliveryGrants({ bucketArn: BUCKET, accountId: ACCOUNT, region: 'eu-west-1' }),
  ],
};

/** The decision for requests from one service principal (and for anyone, the statements with Principal "*"). */
function asService(service: string, action: string, resource: string, context: Record<string, string> = {}) {
  const theirs = policy.Statement.filter(
    (statement) =>
      statement.Principal === '*' || (statement.Principal as { Service?: string })?.Service === service,
  );
  return decide([{ Statement: theirs as EvaluableStatement[] }], {
    action,
    resource,
    context: { 'aws:SecureTransport': 'true', ...context },
  });
}

describe('the access-log bucket policy', () => {
  const elb = 'logdelivery.elasticloadbalancing.amazonaws.com';
  const flowLogs = 'delivery.logs.amazonaws.com';
  const fromThisAccount = {
    'aws:SourceAccount': ACCOUNT,
    'aws:SourceArn': `arn:aws:logs:eu-west-1:${ACCOUNT}:*`,
  };

  it("lets Elastic Load Balancing write this account's access logs under alb/ (or alb/<target>/) only", () => {
    const put = (key: string) => asService(elb, 's3:PutObject', `${BUCKET}/${key}`);
    expect(put(`alb/AWSLogs/${ACCOUNT}/elasticloadbalancing/eu-west-1/2026/12/03/x.log.gz`)).toBe('allowed');
    expect(put(`alb/ecs/AWSLogs/${ACCOUNT}/elasticloadbalancing/eu-west-1/2026/12/03/x.log.gz`)).toBe(
      'allowed',
    );
    expect(put('alb/AWSLogs/999999999999/elasticloadbalancing/x.log.gz')).toBe('implicitly-denied');
    expect(put(`vpc-flow-logs/AWSLogs/${ACCOUNT}/x`)).toBe('implicitly-denied');
  });

  it('lets the flow-log delivery service write its own prefix for this account, owner-controlled', () => {
    const put = (context: Record<string, string>) =>
      asService(
        flowLogs,
        's3:PutObject',
        `${BUCKET}/vpc-flow-logs/AWSLogs/${ACCOUNT}/vpcflowlogs/x.parquet`,
        context,
      );
    expect(put({ ...fromThisAccount, 's3:x-amz-acl': 'bucket-owner-full-control' })).toBe('allowed');
    expect(put({ ...fromThisAccount })).toBe('implicitly-denied');
    expect(put({ 'aws:SourceAccount': '999999999999', 's3:x-amz-acl': 'bucket-owner-full-control' })).toBe(
      'implicitly-denied',
    );
    expect(asService(flowLogs, 's3:GetBucketAcl', BUCKET, fromThisAccount)).toBe('allowed');
  });

  it('refuses every request without TLS', () => {
    expect(
      asService(elb, 's3:PutObject', `${BUCKET}/alb/AWSLogs/${ACCOUNT}/x`, {
        'aws:SecureTransport': 'false',
      }),
    ).toBe('explicitly-denied');
  });
});
