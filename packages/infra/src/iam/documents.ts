/** IAM policy documents as plain data: built by pure functions so tests and policy rules can read them. */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]> | '*';
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Trust policy for a role assumed by an AWS service (lambda.amazonaws.com, ecs-tasks.amazonaws.com, …), limited
 * where the service supports it to requests on behalf of one account (`aws:SourceAccount`) and one resource
 * (`aws:SourceArn`, wildcards allowed): the guard against the confused-deputy problem.
 */
export function serviceTrustPolicy(
  service: string,
  sourceAccountId?: string,
  sourceArn?: string,
): PolicyDocument {
  const condition: NonNullable<PolicyStatement['Condition']> = {
    ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
    ...(sourceAccountId ? { StringEquals: { 'aws:SourceAccount': sourceAccountId } } : {}),
  };
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    },
  ]);
}

export interface EksClusterIdentity {
  accountId: string;
  region: string;
  clusterName: string;
}

/**
 * Trust for an EKS cluster role: EKS acting for this one cluster of this account (Amazon EKS User Guide,
 * "Cross-service confused deputy prevention in Amazon EKS": ArnLike aws:SourceArn on the cluster's ARN,
 * StringEquals aws:SourceAccount).
 */
export function eksClusterTrustPolicy({
  accountId,
  region,
  clusterName,
}: EksClusterIdentity): PolicyDocument {
  return serviceTrustPolicy(
    'eks.amazonaws.com',
    accountId,
    `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`,
  );
}

/**
 * Trust for the Fargate pod execution role: EKS Fargate acting for this cluster's Fargate profiles (Amazon EKS
 * User Guide, "Amazon EKS Pod execution IAM role": ArnLike aws:SourceArn on
 * `arn:aws:eks:<region>:<account>:fargateprofile/<cluster>/*`, which names the account).
 */
export function eksFargatePodExecutionTrustPolicy({
  accountId,
  region,
  clusterName,
}: EksClusterIdentity): PolicyDocument {
  return serviceTrustPolicy(
    'eks-fargate-pods.amazonaws.com',
    undefined,
    `arn:aws:eks:${region}:${accountId}:fargateprofile/${clusterName}/*`,
  );
}

/**
 * What an EKS cluster role needs on the customer-managed key that envelope-encrypts the cluster's Kubernetes
 * data: EKS calls KMS on it as the cluster role (CloudTrail records the role's sessions, invokedBy
 * eks.amazonaws.com, terraform-aws-modules/terraform-aws-eks#1913), and a key with KMS's default key policy
 * leaves its use to IAM policies ("Default key policy", AWS KMS developer guide). The actions are those
 * terraform-aws-eks grants (main.tf, aws_iam_policy.cluster_encryption), on that one key.
 */
export function clusterSecretsKeyPolicy(keyArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: 'UseTheClusterSecretsKey',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
      Resource: keyArn,
    },
  ]);
}

export interface AppAccess {
  modelBucketArn: string;
  databaseSecretArn: string;
  /** The hashes of the API keys the app accepts (platform output `apiKeysSecretArn`). */
  apiKeysSecretArn: string;
  /** The customer-managed key that encrypts both secrets. */
  databaseKmsKeyArn: string;
  region: string;
}

/**
 * What the inference app may do at run time, and nothing more: read models under `models/`, read the database
 * secret and the API keys secret (decrypting them only through Secrets Manager).
 */
export function appAccessPolicy(access: AppAccess): PolicyDocument {
  return policyDocument([
    {
      Sid: 'ListModels',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: access.modelBucketArn,
      Condition: { StringLike: { 's3:prefix': ['models/*'] } },
    },
    {
      Sid: 'ReadModels',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${access.modelBucketArn}/models/*`,
    },
    {
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: access.databaseSecretArn,
    },
    {
      Sid: 'ReadApiKeysSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: access.apiKeysSecretArn,
    },
    {
      Sid: 'DecryptDatabaseSecret',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: access.databaseKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${access.region}.amazonaws.com` } },
    },
  ]);
}

/** Writes to one log group (its streams included): what a Lambda function needs to log. */
export function logWritePolicy(logGroupArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [logGroupArn, `${logGroupArn}:log-stream:*`],
    },
  ]);
}

/**
 * The network-interface rights of a Lambda function attached to a VPC. EC2 does not scope these actions to
 * resources, hence "*"; unlike AWSLambdaVPCAccessExecutionRole this grants no logging on every log group.
 */
export function lambdaNetworkInterfacePolicy(): PolicyDocument {
  return policyDocument([
    {
      Sid: 'ManageFunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ]);
}

/** Trust for tokens of one OIDC issuer: the STS audience and exactly one subject. */
export function webIdentityTrustPolicy(
  providerArn: string,
  issuerHost: string,
  subject: string,
): PolicyDocument {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${issuerHost}:aud`]: 'sts.amazonaws.com', [`${issuerHost}:sub`]: subject },
      },
    },
  ]);
}

/** Trust for an IAM role for a Kubernetes service account (IRSA): one service account in one namespace. */
export function serviceAccountTrustPolicy(args: {
  providerArn: string;
  /** The cluster's OIDC issuer URL, with or without `https://`. */
  issuerUrl: string;
  namespace: string;
  serviceAccount: string;
}): PolicyDocument {
  return webIdentityTrustPolicy(
    args.providerArn,
    args.issuerUrl.replace(/^https:\/\//, ''),
    `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
  );
}

/** The statements of a document, whether it arrives as an object or as the JSON string a resource stores. */
export function statementsOf(policy: unknown): PolicyStatement[] {
  const parsed: unknown = typeof policy === 'string' ? safeJson(policy) : policy;
  if (!parsed || typeof parsed !== 'object') return [];
  const statements = (parsed as { Statement?: unknown }).Statement;
  if (Array.isArray(statements)) return statements as PolicyStatement[];
  return statements && typeof statements === 'object' ? [statements as PolicyStatement] : [];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether an IAM action pattern (`iam:Put*`, `*`) covers an action; IAM compares actions case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(action);
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
