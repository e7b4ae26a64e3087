import {
  appAccessOf,
  lambdaNetworkInterfacePolicy,
  logWritePolicy,
  readPlatform,
  serviceTrustPolicy,
  stackContext,
  WorkloadRole,
  workloadEnvironment,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import { functionAlarms } from './alarms.ts';
import { httpApi } from './http-api.ts';
import { readLambdaSettings } from './settings.ts';

/** The inference app as a container-image Lambda function behind a throttled API Gateway HTTP API. */
export async function lambda() {
  const { env, name, tags, config } = stackContext();
  const settings = readLambdaSettings(config);
  const platform = readPlatform(settings.org, env);
  const functionName = name('api');

  const logGroup = new aws.cloudwatch.LogGroup(functionName, {
    name: `/aws/lambda/${functionName}`,
    retentionInDays: settings.logRetentionDays,
    tags,
  });
  const role = new WorkloadRole(functionName, {
    roleName: functionName,
    assumeRolePolicy: platform.accountId.apply((account) =>
      JSON.stringify(serviceTrustPolicy('lambda.amazonaws.com', account)),
    ),
    permissionsBoundary: platform.workloadBoundaryArn,
    appAccess: appAccessOf(platform),
    extraPolicies: { logs: logGroup.arn.apply(logWritePolicy), network: lambdaNetworkInterfacePolicy() },
    tags,
  });

  const environment = workloadEnvironment(platform, settings, platform.databaseProxyEndpoint);
  const fn = new aws.lambda.Function(
    functionName,
    {
      name: functionName,
      description: `Glyco inference API (${env})`,
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
      environment: { variables: environment },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      tracingConfig: { mode: 'PassThrough' },
      tags,
    },
    { dependsOn: [role] },
  );
  const alias = new aws.lambda.Alias(functionName, {
    name: 'live',
    functionName: fn.name,
    functionVersion: fn.version,
  });
  if (settings.provisionedConcurrency > 0) {
    new aws.lambda.ProvisionedConcurrencyConfig(functionName, {
      functionName: fn.name,
      qualifier: alias.name,
      provisionedConcurrentExecutions: settings.provisionedConcurrency,
    });
  }
  const api = httpApi({ name, tags, alias, settings });
  functionAlarms({ name, tags, functionName: fn.name, settings });

  return {
    url: api.url,
    functionName: fn.name,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.apply((variables) => variables.MODEL_URI),
    logGroup: logGroup.name,
    apiAccessLogGroup: api.accessLogGroup,
    databaseEndpoint: platform.databaseProxyEndpoint,
  };
}
