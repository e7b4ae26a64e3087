import type { PlatformOutputs } from '../platform-outputs.ts';
import {
  TEST_ACCOUNT_ID,
  TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
  TEST_REGION,
  TEST_ZONE_NAME,
} from './platform-fixture.ts';

type State = Record<string, unknown>;

/** The canonical hosted zone of Application Load Balancers in eu-west-1 (Elastic Load Balancing endpoints). */
const ALB_ZONE_ID = 'Z32O12XQLNTSW2';

/**
 * The outputs AWS would report for a resource, invented for tests: enough for a program to wire resources
 * together (ids, ARNs, endpoints). Everything else echoes the inputs, which is what the tests assert on.
 */
export function mockState(type: string, name: string, inputs: State, platform: PlatformOutputs): State {
  const physicalName = typeof inputs.name === 'string' ? inputs.name : name;
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  const base: State = {
    ...inputs,
    name: physicalName,
    arn: inputs.arn ?? `arn:aws:${service}:${TEST_REGION}:${TEST_ACCOUNT_ID}:${physicalName}`,
  };
  return { ...base, ...typeSpecificState(type, physicalName, inputs, platform) };
}

function typeSpecificState(type: string, name: string, inputs: State, platform: PlatformOutputs): State {
  switch (type) {
    case 'pulumi:pulumi:StackReference':
      return { outputs: platform };
    case 'awsx:ec2:Vpc':
      return {
        vpcId: platform.vpcId,
        publicSubnetIds: platform.publicSubnetIds,
        privateSubnetIds: platform.privateSubnetIds,
      };
    case 'aws:s3/bucket:Bucket':
      return { bucket: inputs.bucket ?? name, arn: `arn:aws:s3:::${String(inputs.bucket ?? name)}` };
    case 'aws:iam/policy:Policy':
      return { arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/${name}` };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${name}` };
    case 'aws:ecr/repository:Repository':
      return { repositoryUrl: `${TEST_ACCOUNT_ID}.dkr.ecr.${TEST_REGION}.amazonaws.com/${name}` };
    case 'aws:rds/instance:Instance':
      return {
        address: `${String(inputs.identifier)}.abcdefghijkl.${TEST_REGION}.rds.amazonaws.com`,
        masterUserSecrets: [
          {
            secretArn: platform.databaseSecretArn,
            kmsKeyId: inputs.masterUserSecretKmsKeyId,
            secretStatus: 'active',
          },
        ],
      };
    case 'aws:rds/proxy:Proxy':
      return { endpoint: `${name}.proxy-abcdefghijkl.${TEST_REGION}.rds.amazonaws.com` };
    case 'aws:ecs/cluster:Cluster':
      return { arn: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:cluster/${name}` };
    case 'aws:ecs/taskDefinition:TaskDefinition': {
      const family = `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/${String(inputs.family)}`;
      return { arn: `${family}:1`, arnWithoutRevision: family, revision: 1 };
    }
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { arn: `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:${name}` };
    case 'aws:sqs/queue:Queue':
      return {
        arn: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT_ID}:${name}`,
        url: `https://sqs.${TEST_REGION}.amazonaws.com/${TEST_ACCOUNT_ID}/${name}`,
      };
    case 'aws:scheduler/schedule:Schedule':
      return {
        arn: `arn:aws:scheduler:${TEST_REGION}:${TEST_ACCOUNT_ID}:schedule/${String(inputs.groupName)}/${name}`,
      };
    case 'aws:scheduler/scheduleGroup:ScheduleGroup':
      return { arn: `arn:aws:scheduler:${TEST_REGION}:${TEST_ACCOUNT_ID}:schedule-group/${name}` };
    case 'aws:kms/key:Key':
      return { arn: `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${name}` };
    case 'aws:lb/loadBalancer:LoadBalancer':
      return {
        dnsName: `${name}-123456789.${TEST_REGION}.elb.amazonaws.com`,
        arnSuffix: `app/${name}/0123456789abcdef`,
        zoneId: ALB_ZONE_ID,
      };
    case 'aws:acm/certificate:Certificate':
      return {
        arn: `arn:aws:acm:${TEST_REGION}:${TEST_ACCOUNT_ID}:certificate/${name}`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_0123abcd.${String(inputs.domainName)}.`,
            resourceRecordType: 'CNAME',
            resourceRecordValue: '_4567efgh.acm-validations.aws.',
          },
        ],
      };
    case 'aws:acm/certificateValidation:CertificateValidation':
      return { certificateArn: inputs.certificateArn };
    case 'aws:route53/record:Record':
      return { fqdn: String(inputs.name).replace(/\.$/, '') };
    case 'aws:apigatewayv2/domainName:DomainName':
      return {
        domainNameConfiguration: {
          ...(inputs.domainNameConfiguration as State),
          targetDomainName: `d-abcdef1234.execute-api.${TEST_REGION}.amazonaws.com`,
          hostedZoneId: 'ZLY8HYME6SFDD',
        },
      };
    case 'aws:lb/targetGroup:TargetGroup':
      return { arnSuffix: `targetgroup/${name}/0123456789abcdef` };
    case 'aws:apigatewayv2/api:Api':
      return {
        apiEndpoint: `https://abcdef1234.execute-api.${TEST_REGION}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${TEST_REGION}:${TEST_ACCOUNT_ID}:abcdef1234`,
      };
    case 'aws:lambda/function:Function':
      return {
        version: '1',
        invokeArn: `arn:aws:apigateway:${TEST_REGION}:lambda:path/functions/${name}/invocations`,
      };
    case 'aws:lambda/alias:Alias':
      return {
        invokeArn: `arn:aws:apigateway:${TEST_REGION}:lambda:path/functions/${String(inputs.functionName)}:${name}/invocations`,
      };
    case 'aws:apigatewayv2/stage:Stage':
      return { invokeUrl: `https://abcdef1234.execute-api.${TEST_REGION}.amazonaws.com/` };
    case 'aws:eks/cluster:Cluster':
      return {
        endpoint: `https://ABCDEF0123456789.gr7.${TEST_REGION}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from('test-ca').toString('base64') },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.${TEST_REGION}.amazonaws.com/id/ABCDEF0123456789` }] },
        ],
        vpcConfig: { ...(inputs.vpcConfig as State), clusterSecurityGroupId: 'sg-eks-cluster' },
      };
    case 'kubernetes:networking.k8s.io/v1:Ingress':
      // What the load balancer controller writes once it has made the ALB.
      return {
        status: {
          loadBalancer: {
            ingress: [
              { hostname: `k8s-glyco-glycoapi-0123456789-1234567890.${TEST_REGION}.elb.amazonaws.com` },
            ],
          },
        },
      };
    default:
      return {};
  }
}

/** Results of the provider functions (invokes) the stacks call. */
export function mockCall(token: string, inputs: State): State {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: TEST_ACCOUNT_ID, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/test`, userId: 'test' };
    case 'aws:index/getRegion:getRegion':
      return { name: TEST_REGION, region: TEST_REGION, id: TEST_REGION };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
    case 'aws:ecr/getImage:getImage':
      return { imageDigest: `sha256:${'cd'.repeat(32)}`, imageTags: [inputs.imageTag ?? 'newest'] };
    case 'aws:route53/getZone:getZone':
      return inputs.zoneId
        ? { zoneId: inputs.zoneId, name: TEST_ZONE_NAME }
        : { zoneId: 'Z0TESTZONE0123456789', name: inputs.name };
    case 'aws:s3/getObjects:getObjects':
      // The registry holds what the program looks for: a promoted alias, a published version.
      return { id: String(inputs.bucket), bucket: inputs.bucket, keys: [inputs.prefix] };
    case 'aws:eks/getClusters:getClusters':
      // An account with no cluster yet: a first deploy.
      return { id: TEST_REGION, names: [] };
    case 'aws:lb/getHostedZoneId:getHostedZoneId':
      return { id: ALB_ZONE_ID };
    case 'aws:kms/getPublicKey:getPublicKey':
      return {
        id: String(inputs.keyId),
        keyId: String(inputs.keyId),
        arn: String(inputs.keyId),
        keyUsage: 'SIGN_VERIFY',
        customerMasterKeySpec: 'ECC_NIST_P256',
        signingAlgorithms: ['ECDSA_SHA_256'],
        publicKeyPem: TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
      };
    case 'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider':
      return {
        arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace('https://', '')}`,
      };
    default:
      throw new Error(`No mock for the provider function ${token}: add one to mockCall.`);
  }
}

/**
 * Provider answers for a model registry bucket that holds exactly `keys` (e.g. none: a new environment's empty
 * registry), listed as ListObjectsV2 lists them: the keys under the prefix, in order, up to `maxKeys`.
 */
export function registryHolding(keys: string[]) {
  return {
    'aws:s3/getObjects:getObjects': (inputs: State) => ({
      id: String(inputs.bucket),
      bucket: inputs.bucket,
      keys: keys
        .filter((key) => key.startsWith(String(inputs.prefix ?? '')))
        .sort()
        .slice(0, Number(inputs.maxKeys ?? 1000)),
    }),
  };
}
