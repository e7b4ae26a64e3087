import {
  logWritePolicy,
  type PolicyDocument,
  policyDocument,
  serviceTrustPolicy,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** The name of the deploy workflow (`.github/workflows/deploy.yml`), the only one whose jobs start a runner. */
export const DEPLOY_WORKFLOW_NAME = 'Deploy';

/**
 * CodeBuild's Ubuntu 24.04 image, where `apt-get install skopeo` gives 1.13.3, which has the `--preserve-digests`
 * the deploy script pushes with (from skopeo 1.6.0). standard:7.0 is Ubuntu 22.04, whose skopeo 1.4.1 lacks it.
 * https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html ("Ubuntu 24.04 Standard: 8.0");
 * aws/aws-codebuild-docker-images@1590e48 ubuntu/standard/8.0/Dockerfile (FROM ubuntu:24.04). The table of
 * runner images and their skopeo, with sources: test/runner-skopeo.test.ts.
 */
export const RUNNER_IMAGE = 'aws/codebuild/standard:8.0';

export interface DeployRunnerArgs {
  name: (purpose: string) => string;
  accountId: string;
  region: string;
  /** `owner/repo` whose workflow jobs the runner takes. */
  githubRepository: string;
  /**
   * The CodeConnections (or CodeStar Connections) connection to GitHub, made once in the console:
   * https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-create-github.html
   */
  githubConnectionArn: string;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string[]>;
  /** The environment's workload boundary, which the runner's role carries. */
  roleBoundaryArn: pulumi.Input<string>;
  logRetentionDays: number;
  tags: Tags;
}

/**
 * A GitHub Actions runner inside the VPC, hosted by AWS CodeBuild, for deploy jobs that must reach private
 * endpoints (the prod EKS API). CodeBuild starts a build for each queued workflow job whose `runs-on` label is
 * `codebuild-<project>-<run id>-<run attempt>`, through a webhook on WORKFLOW_JOB_QUEUED events, and the build
 * registers as a one-job runner:
 * https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner.html (tutorial),
 * https://docs.aws.amazon.com/codebuild/latest/userguide/sample-github-action-runners-update-labels.html (labels),
 * https://docs.aws.amazon.com/codebuild/latest/userguide/github-webhook.html (WORKFLOW_JOB_QUEUED, WORKFLOW_NAME).
 * The build runs in the private subnets
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/vpc-support.html) with a role that can only attach to
 * the VPC, write its own logs and use the GitHub connection: the job itself gets its AWS credentials through
 * OIDC, as on any runner.
 */
export class DeployRunner extends pulumi.ComponentResource {
  readonly projectName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(logicalName: string, args: DeployRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:DeployRunner', logicalName, {}, opts);
    const { name, accountId, region, tags } = args;
    const parent = { parent: this };
    const projectName = name('deploy-runner');

    const logGroup = new aws.cloudwatch.LogGroup(
      projectName,
      { name: `/aws/codebuild/${projectName}`, retentionInDays: args.logRetentionDays, tags },
      parent,
    );
    const group = new aws.ec2.SecurityGroup(
      projectName,
      {
        namePrefix: `${projectName}-`,
        vpcId: args.vpcId,
        description: 'Deploy runner: out to GitHub, package registries, Pulumi Cloud and AWS APIs',
        tags,
      },
      parent,
    );
    for (const [port, what] of [
      [443, 'HTTPS: GitHub, npm, Pulumi Cloud, AWS APIs, the EKS API'],
      [80, 'HTTP: Ubuntu package mirrors (apt verifies packages by signature)'],
    ] as const) {
      new aws.vpc.SecurityGroupEgressRule(
        `${projectName}-out-${port}`,
        {
          securityGroupId: group.id,
          cidrIpv4: '0.0.0.0/0',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: what,
          tags,
        },
        parent,
      );
    }

    const role = new aws.iam.Role(
      projectName,
      {
        name: projectName,
        assumeRolePolicy: JSON.stringify(
          serviceTrustPolicy(
            'codebuild.amazonaws.com',
            accountId,
            `arn:aws:codebuild:${region}:${accountId}:project/${projectName}`,
          ),
        ),
        permissionsBoundary: args.roleBoundaryArn,
        tags,
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      projectName,
      {
        role: role.id,
        policy: pulumi
          .all([logGroup.arn, pulumi.output(args.privateSubnetIds)])
          .apply(([logGroupArn, subnetIds]) =>
            JSON.stringify(
              deployRunnerPolicy({
                accountId,
                region,
                logGroupArn,
                connectionArn: args.githubConnectionArn,
                subnetArns: subnetIds.map((id) => `arn:aws:ec2:${region}:${accountId}:subnet/${id}`),
              }),
            ),
          ),
      },
      parent,
    );

    const project = new aws.codebuild.Project(
      projectName,
      {
        name: projectName,
        description: `GitHub Actions runner in the VPC for ${args.githubRepository}'s deploy jobs`,
        serviceRole: role.arn,
        source: {
          type: 'GITHUB',
          location: `https://github.com/${args.githubRepository}.git`,
          auth: { type: 'CODECONNECTIONS', resource: args.githubConnectionArn },
        },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_MEDIUM',
          image: RUNNER_IMAGE,
          imagePullCredentialsType: 'CODEBUILD',
          privilegedMode: false,
        },
        vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [group.id] },
        logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: 'ENABLED' } },
        // The deploy jobs' own limit (deploy.yml timeout-minutes, the deploy role's session).
        buildTimeout: 180,
        tags,
      },
      // CodeBuild checks the role's VPC rights when the project is created (vpc-support.html above).
      { parent: this, dependsOn: [rolePolicy] },
    );
    new aws.codebuild.Webhook(
      projectName,
      {
        projectName: project.name,
        buildType: 'BUILD',
        filterGroups: [
          {
            filters: [
              { type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' },
              { type: 'WORKFLOW_NAME', pattern: `^${DEPLOY_WORKFLOW_NAME}$` },
            ],
          },
        ],
      },
      parent,
    );

    this.projectName = project.name;
    this.securityGroupId = group.id;
    this.registerOutputs({ projectName: this.projectName, securityGroupId: this.securityGroupId });
  }
}

/**
 * What a CodeBuild project in a VPC needs
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface),
 * its log group, and the GitHub tokens its connection vends
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html, step 2:
 * codeconnections:GetConnectionToken and GetConnection on the connection).
 */
export function deployRunnerPolicy(args: {
  accountId: string;
  region: string;
  logGroupArn: string;
  connectionArn: string;
  subnetArns: string[];
}): PolicyDocument {
  // A CodeStar Connections ARN (the service's former name) takes that prefix's actions.
  const connections = args.connectionArn.split(':')[2] ?? 'codeconnections';
  return policyDocument([
    ...logWritePolicy(args.logGroupArn).Statement,
    {
      Sid: 'AttachToTheVpc',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeDhcpOptions',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeVpcs',
      ],
      Resource: '*',
    },
    {
      Sid: 'AttachOnlyInThePrivateSubnets',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterfacePermission',
      Resource: `arn:aws:ec2:${args.region}:${args.accountId}:network-interface/*`,
      Condition: {
        StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
        ArnEquals: { 'ec2:Subnet': args.subnetArns },
      },
    },
    {
      Sid: 'UseTheGithubConnection',
      Effect: 'Allow',
      Action: [`${connections}:GetConnectionToken`, `${connections}:GetConnection`],
      Resource: args.connectionArn,
    },
  ]);
}
