import { hostname } from 'node:os';
import { currentActor, type RunRecord } from '@glyco/registry';

/**
 * Who ran it and where, for a run record: the GitHub actor and run in GitHub Actions, the ECS task in AWS (from
 * the task metadata endpoint, version 4, which ECS sets in ECS_CONTAINER_METADATA_URI_V4 for every container on
 * Fargate platform 1.4.0 and later: "Amazon ECS task metadata endpoint version 4 for tasks on Fargate", Amazon ECS Developer Guide,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html; its `/task` path
 * answers JSON whose `TaskARN` names the task), else user@host. `GLYCO_RUN_TRIGGER` says what started it
 * (the jobs stack sets `schedule`); otherwise the GitHub event, or `manual`.
 */
export async function runProvenance(
  env: NodeJS.ProcessEnv = process.env,
): Promise<Pick<RunRecord, 'by' | 'where'>> {
  const githubRunUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const ecsTaskArn = await ecsTask(env.ECS_CONTAINER_METADATA_URI_V4);
  const trigger =
    env.GLYCO_RUN_TRIGGER || (env.GITHUB_EVENT_NAME ? `github:${env.GITHUB_EVENT_NAME}` : 'manual');
  return {
    by: currentActor(env),
    where: {
      host: hostname(),
      trigger,
      ...(githubRunUrl && { githubRunUrl }),
      ...(ecsTaskArn && { ecsTaskArn }),
    },
  };
}

/** The task's ARN, or undefined off ECS or when the endpoint does not answer within two seconds. */
async function ecsTask(metadataUri: string | undefined): Promise<string | undefined> {
  if (!metadataUri) return undefined;
  try {
    const response = await fetch(`${metadataUri}/task`, { signal: AbortSignal.timeout(2000) });
    const task = (await response.json()) as { TaskARN?: unknown };
    return typeof task.TaskARN === 'string' ? task.TaskARN : undefined;
  } catch {
    return undefined;
  }
}
