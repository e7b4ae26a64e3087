import { type PolicyDocument, type PolicyStatement, policyDocument } from '../iam/documents.ts';
import { MODEL_REGISTRY_PREFIX } from '../workload-config.ts';

/**
 * Where scoring tasks read and write files in the platform's model bucket: the workload boundary allows object
 * reads and writes there and under the registry, nowhere else (iam/boundary.ts), so a stack's input and output
 * prefixes must lie under it.
 */
export const SCORING_PREFIX = 'scoring/';

/** The job's task definition family purpose (`glyco-<env>-job`): its task role is the one that signs challengers. */
export const JOB_TASK_FAMILY = 'job';

/** The one algorithm the platform's model signing key allows, and what the servers verify (KMS names it so). */
export const MODEL_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

export interface JobAccess {
  modelBucketArn: string;
  /** The one model the job checks and retrains: it writes under `models/<name>/` only. */
  modelName: string;
  databaseSecretArn: string;
  /** The customer-managed key that encrypts the database secret. */
  databaseKmsKeyArn: string;
  /** The platform's model signing key: a challenger the job publishes must be signed, or no server loads it. */
  modelSigningKeyArn: string;
  region: string;
}

/**
 * What `glyco job <name>` needs: list, read and write its one model's registry entries (versions, runs, datasets,
 * the retrain lock, the aliases: all under `models/<name>/`, and the registry never deletes), and read the
 * prediction log's database secret (decrypting it only through Secrets Manager). No delete, no other model,
 * no other bucket, not the API keys.
 */
export function jobTaskPolicy(access: JobAccess): PolicyDocument {
  const model = `${MODEL_REGISTRY_PREFIX}/${access.modelName}`;
  return policyDocument([
    {
      Sid: 'ListTheModel',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: access.modelBucketArn,
      Condition: { StringLike: { 's3:prefix': [model, `${model}/*`] } },
    },
    {
      Sid: 'ReadAndWriteTheModel',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${access.modelBucketArn}/${model}/*`,
    },
    {
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: access.databaseSecretArn,
    },
    {
      Sid: 'DecryptDatabaseSecret',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: access.databaseKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${access.region}.amazonaws.com` } },
    },
    {
      // The key policy names the job's role as a signer too; this grant alone signs nothing.
      Sid: 'SignChallengers',
      Effect: 'Allow',
      Action: 'kms:Sign',
      Resource: access.modelSigningKeyArn,
      Condition: { StringEquals: { 'kms:SigningAlgorithm': MODEL_SIGNING_ALGORITHM } },
    },
  ]);
}

export interface ScoreAccess {
  modelBucketArn: string;
  /** Keys under `scoring/`, each ending in `/`: the files a scoring task reads, and where it writes. */
  inputPrefix: string;
  outputPrefix: string;
}

/**
 * What `glyco score` needs in AWS: read any model of the registry (as the server does), read the input prefix,
 * write the output prefix (a multipart upload, which it aborts on failure so nothing partial is left:
 * @aws-sdk/lib-storage Upload). Listing the prefixes it reads turns a missing key into 404 instead of 403
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
 */
export function scoreTaskPolicy(access: ScoreAccess): PolicyDocument {
  const bucket = access.modelBucketArn;
  return policyDocument([
    {
      Sid: 'ListModelsAndInput',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': [`${MODEL_REGISTRY_PREFIX}/*`, `${access.inputPrefix}*`] } },
    },
    {
      Sid: 'ReadModelsAndInput',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [`${bucket}/${MODEL_REGISTRY_PREFIX}/*`, `${bucket}/${access.inputPrefix}*`],
    },
    {
      Sid: 'WriteOutput',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: `${bucket}/${access.outputPrefix}*`,
    },
  ]);
}

export interface RunTaskAccess {
  clusterArn: string;
  /** `arn:aws:ecs:<region>:<account>:task-definition/<family>` of each task it may start (any revision). */
  taskDefinitionArns: string[];
  /** The execution and task roles of those task definitions, which RunTask passes to ECS. */
  roleArns: string[];
}

/**
 * Start the given task definitions on one cluster, handing their roles to ECS tasks only: what EventBridge
 * Scheduler's role needs for an ECS target (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 * and the ECS guide's EventBridge role, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html:
 * ecs:RunTask, and iam:PassRole on each execution and task role), scoped here to the family and the cluster
 * (condition key ecs:cluster, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
 * No ecs:TagResource: the runs pass no tags.
 */
export function runTaskStatements(access: RunTaskAccess): PolicyStatement[] {
  return [
    {
      Sid: 'RunTheTask',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: access.taskDefinitionArns.map((arn) => `${arn}:*`),
      Condition: { ArnEquals: { 'ecs:cluster': access.clusterArn } },
    },
    {
      Sid: 'PassItsRolesToEcs',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: access.roleArns,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}

/**
 * What a workflow needs to start the job as its schedule does and watch it (scripts/run-job.sh): read the schedule's
 * target (task definition revision, cluster, network) and the task definition's command, wait for the task
 * (`aws ecs wait tasks-stopped` polls DescribeTasks), stop it when the run is cancelled, and read its last lines
 * (GetLogEvents on the task's stream). DescribeTaskDefinition supports no resource-level permission
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html), hence "*".
 */
export function watchTaskStatements(access: {
  clusterName: string;
  clusterArn: string;
  logGroupArn: string;
  scheduleArn: string;
}) {
  const tasks = access.clusterArn.replace(`:cluster/${access.clusterName}`, `:task/${access.clusterName}/*`);
  return [
    {
      Sid: 'ReadTheSchedule',
      Effect: 'Allow',
      Action: 'scheduler:GetSchedule',
      Resource: access.scheduleArn,
    },
    { Sid: 'ReadTaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    {
      Sid: 'WatchItsTasks',
      Effect: 'Allow',
      Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
      Resource: tasks,
    },
    {
      Sid: 'ReadItsLog',
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: `${access.logGroupArn}:log-stream:*`,
    },
  ] satisfies PolicyStatement[];
}
