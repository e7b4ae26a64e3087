import {
  appAccessOf,
  lambdaNetworkInterfacePolicy,
  logWritePolicy,
  type PlatformReference,
  serviceTrustPolicy,
  type Tags,
  type TargetEnvironment,
  WorkloadRole,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

/** The alias the API invokes, which carries the provisioned concurrency. */
export const FUNCTION_ALIAS = 'live';

export interface InferenceFunctionArgs {
  functionName: string;
  description: string;
  tags: Tags;
  platform: PlatformReference;
  settings: Pick<
    LambdaSettings,
    | 'image'
    | 'memoryMb'
    | 'timeoutSeconds'
    | 'reservedConcurrency'
    | 'provisionedConcurrency'
    | 'logRetentionDays'
  >;
  environment: pulumi.Output<TargetEnvironment>;
}

/**
 * The app as a container-image function in the private subnets: its log group, its role (the app's reads, its
 * own logs, its network interfaces), the function, and the `live` alias the API invokes, with provisioned
 * concurrency on it when configured.
 */
export class InferenceFunction extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;
  readonly alias: aws.lambda.Alias;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: InferenceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:lambda:InferenceFunction', name, {}, opts);
    const parent = { parent: this };
    const { functionName, tags, platform, settings } = args;

    const logGroup = new aws.cloudwatch.LogGroup(
      functionName,
      { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    const role = new WorkloadRole(
      functionName,
      {
        roleName: functionName,
        assumeRolePolicy: platform.accountId.apply((account) =>
          JSON.stringify(serviceTrustPolicy('lambda.amazonaws.com', account)),
        ),
        permissionsBoundary: platform.workloadBoundaryArn,
        appAccess: appAccessOf(platform),
        extraPolicies: { logs: logGroup.arn.apply(logWritePolicy), network: lambdaNetworkInterfacePolicy() },
        tags,
      },
      parent,
    );
    const fn = new aws.lambda.Function(
      functionName,
      {
        name: functionName,
        description: args.description,
        packageType: 'Image',
        imageUri: settings.image.uri,
        architectures: ['x86_64'],
        role: role.roleArn,
        memorySize: settings.memoryMb,
        timeout: settings.timeoutSeconds,
        reservedConcurrentExecutions: settings.reservedConcurrency,
        publish: true,
        vpcConfig: {
          subnetIds: platform.privateSubnetIds,
          securityGroupIds: [platform.workloadSecurityGroupId],
        },
        environment: { variables: args.environment },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
        tracingConfig: { mode: 'PassThrough' },
        tags,
      },
      { ...parent, dependsOn: [role] },
    );
    this.alias = new aws.lambda.Alias(
      functionName,
      { name: FUNCTION_ALIAS, functionName: fn.name, functionVersion: fn.version },
      parent,
    );
    if (settings.provisionedConcurrency > 0) {
      new aws.lambda.ProvisionedConcurrencyConfig(
        functionName,
        {
          functionName: fn.name,
          qualifier: this.alias.name,
          provisionedConcurrentExecutions: settings.provisionedConcurrency,
        },
        parent,
      );
    }
    this.functionName = fn.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ functionName: this.functionName });
  }
}
