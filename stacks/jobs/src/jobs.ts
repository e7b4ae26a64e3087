import {
  FargateTask,
  JOB_TASK_FAMILY,
  JOBS_LOG_GROUP_PREFIX,
  jobTaskPolicy,
  knownValue,
  MODEL_REGISTRY_PREFIX,
  type PlatformReference,
  readPlatform,
  runTaskCommandLine,
  scoreTaskPolicy,
  stackContext,
} from '@glyco/infra';
import { ConfigWithDefaults, requireRegisteredModel } from '@glyco/infra/target';
import * as pulumi from '@pulumi/pulumi';
import { JobsCluster } from './cluster.ts';
import { JobLogs } from './logs.ts';
import { JobSchedule } from './schedule.ts';
import { type JobsSettings, readJobsSettings } from './settings.ts';
import { WorkflowRole } from './workflow-role.ts';

/** The container of both task definitions; run-task's `--overrides` names it. */
const CONTAINER_NAME = 'glyco';

/**
 * The jobs of one environment, from the jobs image: the drift check and retrain (`glyco job`) on a schedule, and
 * batch scoring (`glyco score`) started by hand, both as Fargate tasks in the platform's private subnets, with
 * the roles that may start them (EventBridge Scheduler, the jobs workflows) and the commands to start them.
 */
export async function jobs() {
  const { env, name, tags, config } = stackContext();
  const org = config.get('org') ?? pulumi.getOrganization();
  const settings = readJobsSettings(new ConfigWithDefaults({ org }), env);
  const platform = await readPlatform(org, env);
  const github = requireGithubOutputs(platform);
  await requireRegisteredModel(platform, settings.model);

  const cluster = new JobsCluster(name('jobs-cluster'), { clusterName: name('jobs'), tags });
  const logs = new JobLogs(name('job-logs'), {
    logGroupName: `${JOBS_LOG_GROUP_PREFIX}${name('jobs')}`,
    keyName: name('job-logs'),
    retentionDays: settings.logRetentionDays,
    protect: env === 'prod',
    accountId: platform.accountId,
    region: platform.region,
    tags,
  });
  const registry = pulumi.interpolate`s3://${platform.modelBucketName}/${MODEL_REGISTRY_PREFIX}`;
  const common = {
    containerName: CONTAINER_NAME,
    image: settings.image,
    logGroupName: logs.logGroupName,
    logGroupArn: logs.logGroupArn,
    region: platform.region,
    accountId: platform.accountId,
    permissionsBoundary: platform.workloadBoundaryArn,
    tags,
  };
  const jobCommand = registry.apply((uri) => jobArguments(settings, uri, settings.retrainPolicy));
  const job = new FargateTask(name('job-task-definition'), {
    ...common,
    family: name(JOB_TASK_FAMILY),
    command: await knownValue(jobCommand),
    environment: jobEnvironment(platform, settings.requireSignedModels),
    ...settings.job,
    streamPrefix: 'job',
    taskPolicy: pulumi
      .all([
        platform.modelBucketArn,
        platform.databaseSecretArn,
        platform.databaseKmsKeyArn,
        platform.modelSigningKeyArn,
        platform.region,
      ])
      .apply(([modelBucketArn, databaseSecretArn, databaseKmsKeyArn, modelSigningKeyArn, region]) =>
        jobTaskPolicy({
          modelBucketArn,
          modelName: settings.modelName,
          databaseSecretArn,
          databaseKmsKeyArn,
          modelSigningKeyArn,
          region,
        }),
      ),
  });
  const score = new FargateTask(name('score-task-definition'), {
    ...common,
    family: name('score'),
    environment: pulumi
      .all([platform.region, platform.modelSigningPublicKeyPem])
      .apply(([region, publicKey]) => ({
        AWS_REGION: region,
        ...(settings.requireSignedModels && { MODEL_SIGNING_PUBLIC_KEY: publicKey }),
      })),
    ...settings.score,
    streamPrefix: 'score',
    taskPolicy: platform.modelBucketArn.apply((modelBucketArn) =>
      scoreTaskPolicy({
        modelBucketArn,
        inputPrefix: settings.scoreInputPrefix,
        outputPrefix: settings.scoreOutputPrefix,
      }),
    ),
  });
  const schedule = new JobSchedule(name('job-schedule'), {
    name,
    tags,
    platform,
    clusterArn: cluster.arn,
    task: job,
    settings,
  });
  const workflowRole = new WorkflowRole(name('github-jobs-role'), {
    roleName: name('github-jobs'),
    tags,
    platform,
    ...github,
    githubEnvironment: settings.githubEnvironment,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    logGroupArn: logs.logGroupArn,
    scheduleArn: schedule.scheduleArn,
    task: job,
  });

  const runTask = (family: string, startedBy: string, command: pulumi.Input<string[]>) =>
    pulumi
      .all([
        platform.region,
        cluster.name,
        platform.privateSubnetIds,
        platform.workloadSecurityGroupId,
        command,
      ])
      .apply(([region, clusterName, subnetIds, securityGroupId, containerCommand]) =>
        runTaskCommandLine({
          region,
          clusterName,
          family,
          subnetIds,
          securityGroupIds: [securityGroupId],
          containerName: CONTAINER_NAME,
          command: containerCommand,
          startedBy,
        }),
      );
  const bucket = platform.modelBucketName;
  return {
    clusterName: cluster.name,
    scheduleName: schedule.scheduleName,
    schedule: `${settings.schedule} ${settings.scheduleTimezone}`,
    logGroup: logs.logGroupName,
    workflowRoleArn: workflowRole.roleArn,
    retrainCommand: runTask(
      job.family,
      'glyco-retrain',
      registry.apply((uri) => jobArguments(settings, uri, 'always')),
    ),
    scoreCommand: runTask(
      score.family,
      'glyco-score',
      pulumi
        .all([registry, bucket])
        .apply(([uri, bucketName]) => [
          'score',
          '--model',
          `${uri}/${settings.model}`,
          '--data',
          `s3://${bucketName}/${settings.scoreInputPrefix}<file>.csv`,
          '--out',
          `s3://${bucketName}/${settings.scoreOutputPrefix}<file>.csv`,
        ]),
    ),
    image: settings.image.uri,
    model: settings.model,
  };
}

/** `glyco job …` as the jobs image's ENTRYPOINT takes it: the model's drift report, then the retrain policy. */
function jobArguments(settings: JobsSettings, registry: string, retrain: string): string[] {
  return [
    'job',
    settings.modelName,
    '--registry',
    registry,
    '--alias',
    settings.alias,
    '--retrain',
    retrain,
    '--since',
    settings.driftWindow,
    '--json',
  ];
}

/**
 * The prediction log as the server reads it (DATABASE_*, the secret's ARN for the credentials), the region, the
 * public key the champion is verified with, and the KMS key the challenger is signed with (what `glyco retrain`
 * reads as `--kms-signing-key`'s default): the servers refuse an unsigned version. With `requireSignedModels`
 * off (while an existing registry's versions are signed) the champion is not signature-checked.
 */
function jobEnvironment(platform: PlatformReference, requireSignedModels: boolean) {
  return pulumi
    .all([
      platform.databaseSecretArn,
      platform.databaseEndpoint,
      platform.databasePort,
      platform.databaseName,
      platform.region,
      platform.modelSigningPublicKeyPem,
      platform.modelSigningKeyArn,
    ])
    .apply(([secretArn, host, port, database, region, publicKey, signingKeyArn]) => ({
      DATABASE_SECRET_ARN: secretArn,
      DATABASE_HOST: host,
      DATABASE_PORT: String(port),
      DATABASE_NAME: database,
      AWS_REGION: region,
      ...(requireSignedModels && { MODEL_SIGNING_PUBLIC_KEY: publicKey }),
      GLYCO_KMS_SIGNING_KEY: signingKeyArn,
    }));
}

/** The workflow role trusts the platform's GitHub provider for the platform's repository: older platforms lack both. */
function requireGithubOutputs(platform: PlatformReference) {
  const { githubOidcProviderArn, githubRepository } = platform;
  if (!githubOidcProviderArn || !githubRepository) {
    const missing = Object.entries({ githubOidcProviderArn, githubRepository })
      .filter(([, value]) => !value)
      .map(([key]) => key);
    throw new Error(
      `The platform stack has no output ${missing.join(' or ')}: it was deployed before the jobs stack existed. ` +
        'Run `pulumi up` in stacks/platform first (the deploy pipeline does so when the platform changes).',
    );
  }
  return { githubOidcProviderArn, githubRepository };
}
