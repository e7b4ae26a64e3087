import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

interface HttpApiArgs {
  name: (purpose: string) => string;
  tags: Tags;
  alias: aws.lambda.Alias;
  settings: Pick<LambdaSettings, 'throttleRatePerSecond' | 'throttleBurst' | 'logRetentionDays'>;
}

/** An HTTPS endpoint for the function: an HTTP API whose default stage throttles and writes access logs. */
export function httpApi({ name, tags, alias, settings }: HttpApiArgs): {
  url: pulumi.Output<string>;
  accessLogGroup: pulumi.Output<string>;
} {
  const apiName = name('http-api');
  const api = new aws.apigatewayv2.Api(apiName, {
    name: apiName,
    protocolType: 'HTTP',
    description: 'Glyco inference API',
    tags,
  });
  const integration = new aws.apigatewayv2.Integration(apiName, {
    apiId: api.id,
    integrationType: 'AWS_PROXY',
    integrationUri: alias.invokeArn,
    payloadFormatVersion: '2.0',
  });
  new aws.apigatewayv2.Route(apiName, {
    apiId: api.id,
    routeKey: '$default',
    target: integration.id.apply((id) => `integrations/${id}`),
  });
  const accessLogs = new aws.cloudwatch.LogGroup(`${apiName}-access`, {
    name: `/aws/apigateway/${apiName}`,
    retentionInDays: settings.logRetentionDays,
    tags,
  });
  const stage = new aws.apigatewayv2.Stage(apiName, {
    apiId: api.id,
    name: '$default',
    autoDeploy: true,
    defaultRouteSettings: {
      throttlingRateLimit: settings.throttleRatePerSecond,
      throttlingBurstLimit: settings.throttleBurst,
    },
    accessLogSettings: {
      destinationArn: accessLogs.arn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        method: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      }),
    },
    tags,
  });
  new aws.lambda.Permission(apiName, {
    action: 'lambda:InvokeFunction',
    function: alias.functionName,
    qualifier: alias.name,
    principal: 'apigateway.amazonaws.com',
    sourceArn: api.executionArn.apply((arn) => `${arn}/*/*`),
  });
  return { url: stage.invokeUrl, accessLogGroup: accessLogs.name };
}
