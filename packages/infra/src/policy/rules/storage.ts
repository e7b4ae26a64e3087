import { asList, statementsOf } from '../../iam/documents.ts';
import { at, environmentOf, failures, list, type PolicyRule } from '../rule.ts';

export const s3BlockPublicAccess: PolicyRule = {
  name: 's3-block-public-access',
  description: 'A bucket public access block turns on all four settings.',
  appliesTo: ['aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock'],
  check: ({ props }) =>
    ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets']
      .filter((key) => props[key] !== true)
      .map((key) => `${key} must be true`),
};

const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

export const s3NoPublicAcl: PolicyRule = {
  name: 's3-no-public-acl',
  description: 'No bucket or bucket ACL grants public or any-AWS-user access.',
  appliesTo: ['aws:s3/bucket:Bucket', 'aws:s3/bucketV2:BucketV2', 'aws:s3/bucketAcl:BucketAcl'],
  check: ({ props }) => {
    const acl = props.acl;
    return typeof acl === 'string' && PUBLIC_ACLS.has(acl)
      ? [`canned ACL "${acl}" makes objects public`]
      : [];
  },
};

export const s3TlsOnly: PolicyRule = {
  name: 's3-tls-only',
  description: 'A bucket policy denies every request made without TLS (aws:SecureTransport = false).',
  appliesTo: ['aws:s3/bucketPolicy:BucketPolicy'],
  check: ({ props }) => {
    const deniesPlainHttp = statementsOf(props.policy).some(
      (statement) =>
        statement.Effect === 'Deny' &&
        asList(statement.Action).some((action) => action === 's3:*') &&
        String(at(statement.Condition, 'Bool', 'aws:SecureTransport')) === 'false',
    );
    return deniesPlainHttp ? [] : ['the policy must deny s3:* when aws:SecureTransport is false'];
  },
};

export const s3EncryptionAtRest: PolicyRule = {
  name: 's3-encryption-at-rest',
  description: 'Bucket encryption configurations use SSE-S3 or SSE-KMS on every rule.',
  appliesTo: ['aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration'],
  check: ({ props }) => {
    const rules = list(props.rules);
    const algorithms = rules.map((rule) => at(rule, 'applyServerSideEncryptionByDefault', 'sseAlgorithm'));
    return failures([
      algorithms.length === 0 ||
        algorithms.some((a) => a !== 'AES256' && a !== 'aws:kms' && a !== 'aws:kms:dsse'),
      'every rule must set applyServerSideEncryptionByDefault.sseAlgorithm to AES256 or aws:kms',
    ]);
  },
};

export const rdsEncryptedAndPrivate: PolicyRule = {
  name: 'rds-encrypted-and-private',
  description: 'Database instances encrypt storage, are not publicly accessible and log connections.',
  appliesTo: ['aws:rds/instance:Instance'],
  check: ({ props }) =>
    failures(
      [props.storageEncrypted !== true, 'storageEncrypted must be true'],
      [props.publiclyAccessible === true, 'publiclyAccessible must not be true'],
    ),
};

export const rdsManagedPassword: PolicyRule = {
  name: 'rds-managed-master-password',
  description: 'The master password is generated and rotated by RDS in Secrets Manager, never set in code.',
  appliesTo: ['aws:rds/instance:Instance'],
  check: ({ props }) =>
    failures(
      [props.manageMasterUserPassword !== true, 'manageMasterUserPassword must be true'],
      [
        props.password !== undefined || props.passwordWo !== undefined,
        'a master password must not be set in code',
      ],
    ),
};

export const rdsProdResilience: PolicyRule = {
  name: 'rds-prod-resilience',
  description:
    'Production databases have deletion protection, Multi-AZ, a final snapshot and 7+ days of backups.',
  appliesTo: ['aws:rds/instance:Instance'],
  check: (resource) => {
    if (environmentOf(resource) !== 'prod') return [];
    const { props } = resource;
    return failures(
      [props.deletionProtection !== true, 'deletionProtection must be true in prod'],
      [props.multiAz !== true, 'multiAz must be true in prod'],
      [props.skipFinalSnapshot === true, 'skipFinalSnapshot must not be true in prod'],
      [Number(props.backupRetentionPeriod ?? 0) < 7, 'backupRetentionPeriod must be at least 7 days in prod'],
    );
  },
};

export const rdsForceSsl: PolicyRule = {
  name: 'rds-force-ssl',
  description: 'PostgreSQL parameter groups force TLS (rds.force_ssl = 1); RDS proxies require TLS.',
  appliesTo: ['aws:rds/parameterGroup:ParameterGroup', 'aws:rds/proxy:Proxy'],
  check: ({ type, props }) => {
    if (type === 'aws:rds/proxy:Proxy')
      return failures([props.requireTls !== true, 'requireTls must be true']);
    if (!String(props.family ?? '').startsWith('postgres')) return [];
    const forceSsl = list(props.parameters).find((p) => at(p, 'name') === 'rds.force_ssl');
    return failures([String(at(forceSsl, 'value')) !== '1', 'parameter rds.force_ssl must be 1']);
  },
};

export const kmsKeyRotation: PolicyRule = {
  name: 'kms-key-rotation',
  description: 'Customer-managed symmetric KMS keys rotate yearly.',
  appliesTo: ['aws:kms/key:Key'],
  check: ({ props }) => {
    const symmetric =
      (props.customerMasterKeySpec ?? props.keySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT';
    return failures([symmetric && props.enableKeyRotation !== true, 'enableKeyRotation must be true']);
  },
};

export const ecrScanAndImmutable: PolicyRule = {
  name: 'ecr-scan-and-immutable',
  description: 'Container repositories scan images on push and refuse to overwrite a tag.',
  appliesTo: ['aws:ecr/repository:Repository'],
  check: ({ props }) =>
    failures(
      [
        at(props, 'imageScanningConfiguration', 'scanOnPush') !== true,
        'imageScanningConfiguration.scanOnPush must be true',
      ],
      [props.imageTagMutability !== 'IMMUTABLE', 'imageTagMutability must be IMMUTABLE'],
    ),
};

/**
 * Resources whose deletion loses data: databases, buckets, the image registry, secrets, and KMS keys. AWS
 * deletes a key only after a waiting period of 7 to 30 days in which the deletion can be cancelled
 * (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html), but a key replaced by Pulumi stays
 * scheduled for deletion, and once deleted everything it encrypts is unreadable: the database and its secret for
 * the platform's data key, the whole cluster for an EKS secrets key ("degrade its health beyond recovery", EKS
 * user guide, "Default envelope encryption for all Kubernetes API Data").
 */
const STATEFUL_TYPES = [
  'aws:rds/instance:Instance',
  'aws:rds/cluster:Cluster',
  'aws:s3/bucket:Bucket',
  'aws:s3/bucketV2:BucketV2',
  'aws:ecr/repository:Repository',
  'aws:secretsmanager/secret:Secret',
  'aws:kms/key:Key',
];

export const prodStatefulProtected: PolicyRule = {
  name: 'prod-stateful-protected',
  description:
    'Production databases, buckets, registries, secrets and keys are protected: Pulumi refuses to delete or replace them.',
  appliesTo: STATEFUL_TYPES,
  check: (resource) =>
    failures([
      environmentOf(resource) === 'prod' && resource.protect !== true,
      'must be protected in prod (resource option protect: true)',
    ]),
};
