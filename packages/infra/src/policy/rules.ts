import type { PolicyRule, StackRule } from './rule.ts';
import * as apiGateway from './rules/api-gateway.ts';
import * as compute from './rules/compute.ts';
import * as edge from './rules/edge.ts';
import * as iam from './rules/iam.ts';
import * as jobs from './rules/jobs.ts';
import * as network from './rules/network.ts';
import * as storage from './rules/storage.ts';
import * as tags from './rules/tags.ts';

/** Every rule of the Glyco policy pack, in the order `pulumi preview --policy-pack` reports them. */
export const RULES: readonly PolicyRule[] = [
  tags.requiredTags,
  storage.s3BlockPublicAccess,
  storage.s3NoPublicAcl,
  storage.s3TlsOnly,
  storage.s3EncryptionAtRest,
  storage.rdsEncryptedAndPrivate,
  storage.rdsManagedPassword,
  storage.rdsProdResilience,
  storage.rdsForceSsl,
  storage.kmsKeyRotation,
  storage.ecrScanAndImmutable,
  storage.prodStatefulProtected,
  network.securityGroupNoOpenIngress,
  network.ecsNoPublicIp,
  network.loadBalancerHardened,
  network.vpcHighlyAvailable,
  network.eksEndpointRestricted,
  iam.iamNoWildcardActions,
  iam.iamDataAccessScoped,
  iam.iamNoAdminPolicies,
  iam.iamWebIdentityTrustScoped,
  iam.iamRoleChangesBounded,
  compute.logRetention,
  compute.lambdaX86InVpc,
  compute.apiThrottledAndLogged,
  compute.ecsContainersHardened,
  compute.eksClusterHardened,
  compute.kubernetesPodsHardened,
  edge.webAclGuardsApi,
  edge.prodIngressBehindWaf,
  jobs.jobLogsEncrypted,
  jobs.scheduleRunsPrivately,
  jobs.runTaskScoped,
];

/** The rules over a whole stack, which `pulumi preview --policy-pack` runs once its resources are known. */
export const STACK_RULES: readonly StackRule[] = [
  edge.prodLoadBalancersBehindWaf,
  apiGateway.prodRoutesThrottled,
];
