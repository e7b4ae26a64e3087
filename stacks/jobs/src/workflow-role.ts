import {
  type FargateTask,
  type PlatformReference,
  policyDocument,
  type Tags,
  watchTaskStatements,
  webIdentityTrustPolicy,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface WorkflowRoleArgs {
  roleName: string;
  tags: Tags;
  platform: PlatformReference;
  githubOidcProviderArn: string;
  /** `owner/repo` and the GitHub environment whose workflow runs may assume the role. */
  githubRepository: string;
  githubEnvironment: string;
  clusterName: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  /** The schedule whose target the workflows start (scripts/run-job.sh reads it). */
  scheduleArn: pulumi.Input<string>;
  task: FargateTask;
}

/**
 * The role retrain.yml and drift.yml assume through GitHub's OIDC provider, for runs in one GitHub environment of
 * one repository (token `sub` `repo:<owner>/<repo>:environment:<name>`, GitHub Docs, "About security hardening
 * with OpenID Connect"): read the job's schedule and task definition, start the job task on the jobs cluster, watch
 * it, stop it, read its log (scripts/run-job.sh). It reads no
 * data itself: what the job may do is the job's task role.
 */
export class WorkflowRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: WorkflowRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:jobs:WorkflowRole', name, {}, opts);
    const parent = { parent: this };
    // The provider's ARN ends with the issuer's host (…:oidc-provider/token.actions.githubusercontent.com).
    const issuerHost = args.githubOidcProviderArn.split(':oidc-provider/')[1] ?? '';
    const role = new aws.iam.Role(
      args.roleName,
      {
        name: args.roleName,
        description: `GitHub Actions runs of ${args.githubRepository} in environment ${args.githubEnvironment}: start and watch the job`,
        assumeRolePolicy: JSON.stringify(
          webIdentityTrustPolicy(
            args.githubOidcProviderArn,
            issuerHost,
            `repo:${args.githubRepository}:environment:${args.githubEnvironment}`,
          ),
        ),
        permissionsBoundary: args.platform.workloadBoundaryArn,
        tags: args.tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      args.roleName,
      {
        role: role.id,
        policy: pulumi
          .all([
            args.task.runTaskGrant(args.clusterArn),
            args.clusterName,
            args.clusterArn,
            args.logGroupArn,
            args.scheduleArn,
          ])
          .apply(([runTask, clusterName, clusterArn, logGroupArn, scheduleArn]) =>
            JSON.stringify(
              policyDocument([
                ...runTask,
                ...watchTaskStatements({ clusterName, clusterArn, logGroupArn, scheduleArn }),
              ]),
            ),
          ),
      },
      parent,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
