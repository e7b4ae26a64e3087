import { type AccessRequest, decide, type EvaluableDocument } from '../iam/evaluation.ts';
import { previewGuardPolicy } from '../iam/preview-guard.ts';
import { TEST_ACCOUNT_ID, TEST_REGION } from './platform-fixture.ts';
import type { Invoke, StackRun } from './run-stack.ts';

/**
 * The part of AWS-managed ReadOnlyAccess (arn:aws:iam::aws:policy/ReadOnlyAccess) that the stacks' previews
 * and the preview role's guard bear on, as version v188 (default since 2026-07-21) grants it: statements
 * ReadOnlyActionsGroup1 and 2 list these patterns, among some 2,900, all on "*". Source: AWS Managed Policy
 * Reference, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html; the document
 * of v188 read from zoph-io/IAMTrail@7fc15059 policies/ReadOnlyAccess, which records each published version.
 */
export const READ_ONLY_ACCESS: EvaluableDocument = {
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'sts:GetCallerIdentity',
        'ec2:Describe*',
        'ecr:Describe*',
        'ecr:Get*',
        'ecr:List*',
        'eks:Describe*',
        'eks:List*',
        'elasticloadbalancing:Describe*',
        'iam:Get*',
        'iam:List*',
        // ReadOnlyActionsGroup1 of zoph-io/IAMTrail@1e581d4d policies/ReadOnlyAccess: the model signing key's
        // public key (kms:GetPublicKey), which the platform program looks up.
        'kms:Get*',
        'lambda:Get*',
        'lambda:List*',
        'route53:Get*',
        'route53:List*',
        's3:List*',
        // Reads of data, which the preview role's guard denies.
        's3:Get*',
        'ssm:Get*',
        'logs:Get*',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'logs:StartLiveTail',
        'rds:Download*',
        'dynamodb:Get*',
        'dynamodb:BatchGet*',
        'dynamodb:Query',
        'dynamodb:Scan',
      ],
      Resource: '*',
    },
  ],
};

const arn = (service: string, resource: string, region = TEST_REGION) =>
  `arn:aws:${service}:${region}:${TEST_ACCOUNT_ID}:${resource}`;
const reads = (resource: string, ...actions: string[]): AccessRequest[] =>
  actions.map((action) => ({ action, resource }));

/**
 * The AWS calls each provider function makes, at preview as at update (a preview runs the program's lookups),
 * read from hashicorp/terraform-provider-aws, which @pulumi/aws wraps.
 */
const CALLS_OF_INVOKE: Record<string, (invoke: Invoke) => AccessRequest[]> = {
  // internal/service/sts/caller_identity_data_source.go: GetCallerIdentity (which needs no permission).
  'aws:index/getCallerIdentity:getCallerIdentity': () => reads('*', 'sts:GetCallerIdentity'),
  // internal/service/meta/region_data_source.go: the provider's region from the SDK's endpoint table, no call.
  'aws:index/getRegion:getRegion': () => [],
  // internal/service/elbv2/hosted_zone_id_data_source.go: a table of ALB hosted zones per region, no call.
  'aws:lb/getHostedZoneId:getHostedZoneId': () => [],
  // internal/service/ecr/image_data_source.go: DescribeImages (every image, for the newest), then
  // DescribeRepositories for the URI. scripts/pulumi-preview.sh calls DescribeImages the same way.
  'aws:ecr/getImage:getImage': ({ inputs }) =>
    reads(
      arn('ecr', `repository/${String(inputs.repositoryName)}`),
      'ecr:DescribeImages',
      'ecr:DescribeRepositories',
    ),
  // internal/service/route53/zone_data_source.go: by id GetHostedZone; by name ListHostedZones, then
  // GetHostedZone for its name servers; ListTagsForResource for its tags.
  'aws:route53/getZone:getZone': ({ inputs, result }) => [
    ...(inputs.zoneId ? [] : reads('*', 'route53:ListHostedZones')),
    ...reads(
      `arn:aws:route53:::hostedzone/${String(result.zoneId)}`,
      'route53:GetHostedZone',
      'route53:ListTagsForResource',
    ),
  ],
  // internal/service/s3/objects_data_source.go: ListObjectsV2 on the bucket (pages up to max_keys).
  'aws:s3/getObjects:getObjects': ({ inputs }) =>
    reads(`arn:aws:s3:::${String(inputs.bucket)}`, 's3:ListBucket'),
  // internal/service/eks/clusters_data_source.go: ListClusters (every page).
  'aws:eks/getClusters:getClusters': () => reads('*', 'eks:ListClusters'),
  // internal/service/eks/cluster_data_source.go: DescribeCluster (findClusterByName).
  'aws:eks/getCluster:getCluster': ({ inputs }) =>
    reads(arn('eks', `cluster/${String(inputs.name)}`), 'eks:DescribeCluster'),
  // internal/service/kms/public_key_data_source.go: GetPublicKey on the key.
  'aws:kms/getPublicKey:getPublicKey': ({ inputs }) => reads(String(inputs.keyId), 'kms:GetPublicKey'),
  // internal/service/iam/openid_connect_provider_data_source.go: with a URL, ListOpenIDConnectProviders, then
  // GetOpenIDConnectProvider on the provider whose ARN ends with it.
  'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider': ({ inputs }) => [
    ...reads('*', 'iam:ListOpenIDConnectProviders'),
    ...reads(
      `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace('https://', '')}`,
      'iam:GetOpenIDConnectProvider',
    ),
  ],
};

/**
 * Lookups that remote components make in their own provider process, where the mocks cannot see them:
 * pulumi/pulumi-awsx@e60adf3c awsx/ec2/vpc.ts calls aws.getAvailabilityZones for the zones it spreads over.
 */
const CALLS_OF_REMOTE_COMPONENT: Record<string, AccessRequest[]> = {
  'awsx:ec2:Vpc': reads('*', 'ec2:DescribeAvailabilityZones'),
};

/**
 * The AWS requests a `pulumi preview` of the run's program makes with the credentials it is given: the AWS
 * provider's own check of them (GetCallerIdentity, unless skipCredentialsValidation), every lookup the program
 * called, those of its remote components, and `direct`: the calls the program makes with an AWS SDK rather than
 * a provider function (as a test's stand-in API recorded them). Creating, updating and diffing resources call
 * nothing at preview. A lookup or remote component without a model fails, so a new one cannot slip past.
 */
export function requestsAtPreview(run: StackRun, direct: AccessRequest[] = []): AccessRequest[] {
  const unmodelled = (what: string) =>
    new Error(
      `No model of the AWS calls ${what} makes: add it to packages/infra/src/testing/preview-access.ts.`,
    );
  return [
    ...reads('*', 'sts:GetCallerIdentity'),
    ...run.invokes.flatMap((invoke) => {
      const calls = CALLS_OF_INVOKE[invoke.token];
      if (!calls) throw unmodelled(invoke.token);
      return calls(invoke);
    }),
    ...run.resources
      .filter((resource) => resource.urn !== undefined && /^awsx:/.test(resource.type))
      .flatMap((component) => {
        const calls = CALLS_OF_REMOTE_COMPONENT[component.type];
        if (!calls) throw unmodelled(component.type);
        return calls;
      }),
    ...direct,
  ];
}

/**
 * The requests of a preview that the pull-request preview role (ReadOnlyAccess with its guard) would be refused,
 * as `action on resource`; empty when it can preview the run's program.
 */
export function previewRoleRefusals(run: StackRun, direct: AccessRequest[] = []): string[] {
  return requestsAtPreview(run, direct)
    .filter((request) => decide([READ_ONLY_ACCESS, previewGuardPolicy()], request) !== 'allowed')
    .map((request) => `${request.action} on ${request.resource}`);
}

/**
 * What a pull request's preview of the run asks of AWS, as the actions in the order it makes them, and which of
 * those requests the preview role is refused (none, for a stack a pull request can preview).
 */
export function previewAccess(
  run: StackRun,
  direct: AccessRequest[] = [],
): { actions: string[]; refusals: string[] } {
  return {
    actions: requestsAtPreview(run, direct).map((request) => request.action),
    refusals: previewRoleRefusals(run, direct),
  };
}
