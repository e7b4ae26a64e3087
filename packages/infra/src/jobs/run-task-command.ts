/** What an `aws ecs run-task` command line needs to start one Fargate task of a family in the private subnets. */
export interface RunTaskCommand {
  region: string;
  clusterName: string;
  /** The task definition family: run-task takes its latest ACTIVE revision. */
  family: string;
  subnetIds: string[];
  securityGroupIds: string[];
  containerName: string;
  /** The container's command (the CLI's arguments: the jobs image's ENTRYPOINT is `glyco`). */
  command: string[];
  /** Shown as the task's startedBy in the console and in `aws ecs list-tasks --started-by`. */
  startedBy: string;
}

/**
 * The `aws ecs run-task` command line a person pastes into a terminal: options of the AWS CLI v2 reference
 * (https://docs.aws.amazon.com/cli/latest/reference/ecs/run-task.html), JSON values shell-quoted. The network
 * configuration is the one the RunTask API takes for awsvpc tasks
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html): no public IP.
 */
export function runTaskCommandLine(task: RunTaskCommand): string {
  const network = {
    awsvpcConfiguration: {
      subnets: task.subnetIds,
      securityGroups: task.securityGroupIds,
      assignPublicIp: 'DISABLED',
    },
  };
  const overrides = { containerOverrides: [{ name: task.containerName, command: task.command }] };
  const words = [
    ['aws', 'ecs', 'run-task'],
    ['--region', task.region],
    ['--cluster', task.clusterName],
    ['--task-definition', task.family],
    ['--launch-type', 'FARGATE'],
    ['--started-by', task.startedBy],
    ['--network-configuration', JSON.stringify(network)],
    ['--overrides', JSON.stringify(overrides)],
  ];
  return words.map((pair) => pair.map(shellQuote).join(' ')).join(' ');
}

/** A word as a POSIX shell reads it back unchanged: bare when it holds only safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
