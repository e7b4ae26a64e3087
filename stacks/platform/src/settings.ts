import type * as pulumi from '@pulumi/pulumi';

export const NAT_STRATEGIES = { single: 'Single', 'one-per-az': 'OnePerAz' } as const;

/** Where the pipeline's deploy jobs run: GitHub's runners, or a CodeBuild-hosted runner inside the VPC. */
export const DEPLOY_RUNNERS = ['github', 'codebuild'] as const;

/** Every config key the platform stack reads (documented in the README, "Deploy to AWS"). */
export interface PlatformSettings {
  vpcCidr: string;
  availabilityZones: number;
  natGateways: keyof typeof NAT_STRATEGIES;
  interfaceEndpoints: boolean;
  /** VPC flow logs (all traffic) to the access-log bucket. */
  vpcFlowLogs: boolean;
  /** Days the access-log bucket keeps load balancer access logs and flow logs. */
  accessLogRetentionDays: number;
  database: {
    engineMajorVersion: number;
    instanceClass: string;
    storageGb: number;
    maxStorageGb: number;
    multiAz: boolean;
    deletionProtection: boolean;
    backupDays: number;
  };
  logRetentionDays: number;
  modelVersionRetentionDays: number;
  ecrKeepImages: number;
  githubRepository: string;
  createGithubOidcProvider: boolean;
  /** The CodeBuild runner, when `deployRunner` is `codebuild`: the GitHub connection it uses. */
  codebuildRunner?: { githubConnectionArn: string };
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const CONNECTION =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]+$/;

export function readPlatformSettings(config: pulumi.Config): PlatformSettings {
  const vpcCidr = config.get('vpcCidr') ?? '10.20.0.0/16';
  const cidr = CIDR.exec(vpcCidr);
  if (!cidr || cidr.slice(1, 5).some((octet) => Number(octet) > 255) || cidr[5] !== '16') {
    throw new Error(
      `Config "vpcCidr" must be an IPv4 /16 CIDR (the subnet layout assumes it); got "${vpcCidr}".`,
    );
  }
  const githubRepository = config.require('githubRepository');
  if (!REPOSITORY.test(githubRepository)) {
    throw new Error(`Config "githubRepository" must be <owner>/<repo>; got "${githubRepository}".`);
  }
  const createGithubOidcProvider = config.getBoolean('createGithubOidcProvider') ?? true;
  // The account's GitHub OIDC provider exists already: another environment lives in this account, and the
  // deploy roles' PowerUserAccess is account-wide, so each environment's pipeline could change the other's.
  if (!createGithubOidcProvider && config.getBoolean('sharedAccountAcknowledged') !== true) {
    throw new Error(
      'Config "createGithubOidcProvider" is false, so another environment shares this AWS account; its deploy ' +
        "role's PowerUserAccess would reach this environment's resources (and this one's, theirs). Give each " +
        'environment its own AWS account, or set "sharedAccountAcknowledged" true to accept that.',
    );
  }
  return {
    vpcCidr,
    availabilityZones: config.getNumber('availabilityZones', { min: 2, max: 6 }) ?? 2,
    natGateways: (config.get('natGateways', { allowedValues: Object.keys(NAT_STRATEGIES) }) ??
      'single') as PlatformSettings['natGateways'],
    interfaceEndpoints: config.getBoolean('interfaceEndpoints') ?? false,
    vpcFlowLogs: config.getBoolean('vpcFlowLogs') ?? false,
    accessLogRetentionDays: config.getNumber('accessLogRetentionDays', { min: 1, max: 3653 }) ?? 30,
    database: {
      engineMajorVersion: config.getNumber('databaseEngineVersion', { min: 14, max: 18 }) ?? 17,
      instanceClass:
        config.get('databaseInstanceClass', { pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/ }) ?? 'db.t4g.micro',
      storageGb: config.getNumber('databaseStorageGb', { min: 20, max: 1000 }) ?? 20,
      maxStorageGb: config.getNumber('databaseMaxStorageGb', { min: 20, max: 4000 }) ?? 100,
      multiAz: config.getBoolean('databaseMultiAz') ?? false,
      deletionProtection: config.getBoolean('databaseDeletionProtection') ?? true,
      backupDays: config.getNumber('databaseBackupDays', { min: 1, max: 35 }) ?? 7,
    },
    logRetentionDays: config.getNumber('logRetentionDays', { min: 1, max: 3653 }) ?? 30,
    modelVersionRetentionDays: config.getNumber('modelVersionRetentionDays', { min: 1, max: 3650 }) ?? 90,
    ecrKeepImages: config.getNumber('ecrKeepImages', { min: 5, max: 1000 }) ?? 30,
    githubRepository,
    createGithubOidcProvider,
    codebuildRunner: readCodebuildRunner(config),
  };
}

function readCodebuildRunner(config: pulumi.Config): PlatformSettings['codebuildRunner'] {
  const runner = config.get('deployRunner', { allowedValues: [...DEPLOY_RUNNERS] }) ?? 'github';
  if (runner !== 'codebuild') return undefined;
  const githubConnectionArn = config.get('githubConnectionArn');
  if (!githubConnectionArn || !CONNECTION.test(githubConnectionArn)) {
    throw new Error(
      'Config "githubConnectionArn" must be the ARN of an available CodeConnections connection to GitHub ' +
        '(arn:aws:codeconnections:<region>:<account>:connection/<id>) when "deployRunner" is codebuild; ' +
        `got ${githubConnectionArn === undefined ? 'nothing' : `"${githubConnectionArn}"`}. See README, "Deploying prod from inside the VPC".`,
    );
  }
  return { githubConnectionArn };
}
