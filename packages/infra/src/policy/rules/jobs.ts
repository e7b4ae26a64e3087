import { actionMatches, asList, type PolicyStatement } from '../../iam/documents.ts';
import { at, failures, list, type PolicyRule } from '../rule.ts';
import { POLICY_TYPES, permissionStatements } from './iam.ts';

/** Where jobs log (`/jobs/glyco-<env>-jobs`): their lines describe the health data they read. */
export const JOBS_LOG_GROUP_PREFIX = '/jobs/';

export const jobLogsEncrypted: PolicyRule = {
  name: 'job-logs-encrypted',
  description: `Job log groups (under ${JOBS_LOG_GROUP_PREFIX}) are encrypted with a customer-managed KMS key.`,
  appliesTo: ['aws:cloudwatch/logGroup:LogGroup'],
  check: ({ props }) =>
    failures([
      String(props.name ?? '').startsWith(JOBS_LOG_GROUP_PREFIX) && !props.kmsKeyId,
      'kmsKeyId must name the KMS key that encrypts the job logs',
    ]),
};

export const scheduleRunsPrivately: PolicyRule = {
  name: 'schedule-runs-privately',
  description:
    'Schedules that start ECS tasks give them subnets and security groups, and no public IP address.',
  appliesTo: ['aws:scheduler/schedule:Schedule'],
  check: ({ props }) => {
    const ecs = at(props, 'target', 'ecsParameters');
    if (!ecs) return [];
    const network = at(ecs, 'networkConfiguration');
    if (!network) {
      return [
        'target.ecsParameters.networkConfiguration.subnets must name the private subnets (none is set)',
      ];
    }
    return failures(
      [
        list(at(network, 'subnets')).length === 0,
        'target.ecsParameters.networkConfiguration.subnets must name the private subnets',
      ],
      [
        list(at(network, 'securityGroups')).length === 0,
        "target.ecsParameters.networkConfiguration.securityGroups must be set (else the VPC's default group)",
      ],
      [
        at(network, 'assignPublicIp') === true,
        'target.ecsParameters.networkConfiguration.assignPublicIp must not be true',
      ],
    );
  },
};

const allowsAction = (statement: PolicyStatement, action: string) =>
  statement.Effect === 'Allow' && asList(statement.Action).some((pattern) => actionMatches(pattern, action));
/** `arn:…:task-definition/<family>:<revision or *>`, the family named. */
const TASK_DEFINITION = /:task-definition\/[A-Za-z0-9_-]+:(\*|\d+)$/;
const pinsCluster = (statement: PolicyStatement) =>
  ['ArnEquals', 'ArnLike', 'StringEquals'].some((operator) => {
    const value = at(statement.Condition, operator, 'ecs:cluster');
    return value !== undefined && asList(value as string | string[]).every((arn) => !arn.includes('*'));
  });

export const runTaskScoped: PolicyRule = {
  name: 'run-task-scoped',
  description:
    'Whoever may start ECS tasks names the task definition families and the cluster (condition ecs:cluster), and passes named roles to ECS tasks only.',
  // Grants only: the repository's one managed policy is the workload boundary, a ceiling over every task family of
  // the environment (iam/boundary.ts), which grants nothing by itself.
  appliesTo: POLICY_TYPES.filter((type) => type !== 'aws:iam/policy:Policy'),
  check: (resource) => {
    const statements = permissionStatements(resource);
    const runs = statements.filter((statement) => allowsAction(statement, 'ecs:RunTask'));
    if (runs.length === 0) return [];
    const passes = statements.filter((statement) => allowsAction(statement, 'iam:PassRole'));
    return [
      ...runs.flatMap((statement) => [
        ...asList(statement.Resource)
          .filter((arn) => !TASK_DEFINITION.test(arn))
          .map(
            (arn) =>
              `ecs:RunTask must name a task definition family (…:task-definition/<family>:*), not "${arn}"`,
          ),
        ...failures([
          !pinsCluster(statement),
          'ecs:RunTask must be pinned to one cluster (condition ecs:cluster)',
        ]),
      ]),
      ...passes.flatMap((statement) => [
        ...asList(statement.Resource)
          .filter((arn) => arn.includes('*'))
          .map((arn) => `iam:PassRole beside ecs:RunTask must pass named roles, not "${arn}"`),
        ...failures([
          at(statement.Condition, 'StringEquals', 'iam:PassedToService') !== 'ecs-tasks.amazonaws.com',
          'iam:PassRole beside ecs:RunTask must carry iam:PassedToService ecs-tasks.amazonaws.com',
        ]),
      ]),
    ];
  },
};
