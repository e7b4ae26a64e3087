import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Environment } from '../environment.ts';
import { deployIamPolicy } from '../iam/deploy.ts';
import { GITHUB_OIDC_HOST, githubDeployTrustPolicy } from '../iam/documents.ts';
import type { Tags } from '../naming.ts';

export interface GithubDeployRoleArgs {
  roleName: string;
  /** `owner/repo`. */
  repository: string;
  /** The GitHub environment whose jobs may assume the role (also the Pulumi stack name). */
  environment: Environment;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The account has one GitHub OIDC provider: the first environment creates it, later ones look it up. */
  createOidcProvider: boolean;
  tags: Tags;
}

/**
 * How long a deploy job's credentials last: a first deploy runs every stack in turn (EKS alone takes 25–35
 * minutes), so one hour is not enough. STS grants up to the role's maximum (AssumeRoleWithWebIdentity,
 * DurationSeconds); the deploy action asks for exactly this (`role-duration-seconds`), and the jobs time out by then.
 */
export const DEPLOY_SESSION_SECONDS = 10_800;

/** The role GitHub Actions assumes (no stored AWS keys) to deploy one environment of this repository. */
export class GithubDeployRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: GithubDeployRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:GithubDeployRole', name, {}, opts);
    const parent = { parent: this };
    const url = `https://${GITHUB_OIDC_HOST}`;
    this.oidcProviderArn = args.createOidcProvider
      ? new aws.iam.OpenIdConnectProvider(
          name,
          { url, clientIdLists: ['sts.amazonaws.com'], tags: args.tags },
          parent,
        ).arn
      : aws.iam.getOpenIdConnectProviderOutput({ url }, parent).arn;
    const role = new aws.iam.Role(
      name,
      {
        name: args.roleName,
        description: `GitHub Actions deploys of ${args.repository} to ${args.environment}`,
        assumeRolePolicy: this.oidcProviderArn.apply((providerArn) =>
          JSON.stringify(
            githubDeployTrustPolicy({
              providerArn,
              repository: args.repository,
              environment: args.environment,
            }),
          ),
        ),
        maxSessionDuration: DEPLOY_SESSION_SECONDS,
        tags: args.tags,
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-power-user`,
      { role: role.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-iam`,
      {
        role: role.id,
        policy: pulumi
          .all([args.accountId, args.region])
          .apply(([accountId, region]) =>
            JSON.stringify(deployIamPolicy({ accountId, region, env: args.environment })),
          ),
      },
      parent,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn });
  }
}
