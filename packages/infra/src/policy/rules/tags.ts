import { REQUIRED_TAG_KEYS } from '../../naming.ts';
import { at, type PolicyRule } from '../rule.ts';

/**
 * AWS resource types that accept no `tags` input (the provider schema has none). Every other `aws:` type must
 * carry the standard tags: a type missing here fails loudly rather than escaping the rule.
 */
export const UNTAGGABLE_TYPES: ReadonlySet<string> = new Set([
  'aws:acm/certificateValidation:CertificateValidation',
  'aws:apigatewayv2/apiMapping:ApiMapping',
  'aws:apigatewayv2/integration:Integration',
  'aws:apigatewayv2/route:Route',
  'aws:appautoscaling/policy:Policy',
  'aws:ecr/lifecyclePolicy:LifecyclePolicy',
  'aws:eks/accessPolicyAssociation:AccessPolicyAssociation',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  'aws:kms/alias:Alias',
  'aws:lambda/permission:Permission',
  'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
  'aws:lambda/alias:Alias',
  'aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup',
  'aws:rds/proxyTarget:ProxyTarget',
  'aws:route53/record:Record',
  'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  'aws:s3/bucketPolicy:BucketPolicy',
  'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  'aws:s3/bucketVersioning:BucketVersioning',
]);

export const requiredTags: PolicyRule = {
  name: 'required-tags',
  description: `Every taggable AWS resource carries the tags ${REQUIRED_TAG_KEYS.join(', ')}.`,
  appliesTo: (type) => type.startsWith('aws:') && !UNTAGGABLE_TYPES.has(type),
  check: ({ props }) =>
    REQUIRED_TAG_KEYS.filter(
      (key) => typeof at(props, 'tags', key) !== 'string' || at(props, 'tags', key) === '',
    ).map((key) => `missing tag "${key}"`),
};
