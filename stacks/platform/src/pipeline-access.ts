import { type Environment, type Tags, workloadBoundaryName, workloadBoundaryPolicy } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { GithubActionsRoles } from './github-actions-roles.ts';

/** The component type whose resources only an administrator may change (the pipeline's preflight looks for it). */
export const PIPELINE_ACCESS_TYPE = 'glyco:platform:PipelineAccess';

export interface PipelineAccessArgs {
  env: Environment;
  name: (purpose: string) => string;
  accountId: string;
  region: string;
  /** `owner/repo` whose GitHub Actions jobs may assume the roles. */
  githubRepository: string;
  createGithubOidcProvider: boolean;
  /** What the boundary lets workloads read: the model registry and the data key. */
  modelBucketArn: pulumi.Input<string>;
  dataKeyArn: pulumi.Input<string>;
  tags: Tags;
}

/**
 * What only an administrator changes: the environment's permissions boundary, GitHub's OIDC provider and the
 * roles GitHub Actions assumes. The deploy role may not change any of them (explicit Deny), so a pipeline run
 * that would stops early and names the command an administrator runs instead.
 */
export class PipelineAccess extends pulumi.ComponentResource {
  readonly workloadBoundaryArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRoleArn: pulumi.Output<string>;
  readonly githubOidcProviderArn: pulumi.Output<string>;

  constructor(logicalName: string, args: PipelineAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PIPELINE_ACCESS_TYPE, logicalName, {}, opts);
    const { env, name, accountId, region, tags } = args;
    const boundary = new aws.iam.Policy(
      workloadBoundaryName(env),
      {
        name: workloadBoundaryName(env),
        description: `Glyco ${env}: the most any role of this environment may do (permissions boundary)`,
        policy: pulumi
          .all([args.modelBucketArn, args.dataKeyArn])
          .apply(([modelBucketArn, dataKeyArn]) =>
            JSON.stringify(workloadBoundaryPolicy({ accountId, region, env, modelBucketArn, dataKeyArn })),
          ),
        tags,
      },
      { parent: this },
    );
    const github = new GithubActionsRoles(
      name('github-actions'),
      {
        repository: args.githubRepository,
        environment: env,
        accountId,
        region,
        createOidcProvider: args.createGithubOidcProvider,
        tags,
      },
      { parent: this },
    );
    this.workloadBoundaryArn = boundary.arn;
    this.deployRoleArn = github.deployRoleArn;
    this.previewRoleArn = github.previewRoleArn;
    this.githubOidcProviderArn = github.oidcProviderArn;
    this.registerOutputs({
      workloadBoundaryArn: this.workloadBoundaryArn,
      deployRoleArn: this.deployRoleArn,
    });
  }
}
