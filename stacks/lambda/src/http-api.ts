import type { Tags } from '@glyco/infra';
import type { PublicDomain } from '@glyco/infra/target';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

export interface HttpApiArgs {
  apiName: string;
  tags: Tags;
  alias: aws.lambda.Alias;
  settings: Pick<LambdaSettings, 'throttleRatePerSecond' | 'throttleBurst' | 'logRetentionDays'>;
  /** Serve the API on this name (its certificate, its alias record) instead of the execute-api one. */
  customDomain: PublicDomain | undefined;
}

/**
 * An HTTPS endpoint for the function: an HTTP API whose default stage throttles and writes access logs. It
 * answers on its execute-api name, which AWS's own certificate covers, or, with a custom domain, only on that
 * name (a regional API Gateway domain with the domain's certificate, TLS 1.2, mapped to the stage; the
 * execute-api endpoint off so that no client goes around it).
 */
export class HttpApi extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly accessLogGroup: pulumi.Output<string>;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:lambda:HttpApi', name, {}, opts);
    const parent = { parent: this };
    const { apiName, tags, alias, settings, customDomain } = args;

    const api = new aws.apigatewayv2.Api(
      apiName,
      {
        name: apiName,
        protocolType: 'HTTP',
        description: 'Glyco inference API',
        disableExecuteApiEndpoint: customDomain !== undefined,
        tags,
      },
      parent,
    );
    const integration = new aws.apigatewayv2.Integration(
      apiName,
      {
        apiId: api.id,
        integrationType: 'AWS_PROXY',
        integrationUri: alias.invokeArn,
        payloadFormatVersion: '2.0',
      },
      parent,
    );
    new aws.apigatewayv2.Route(
      apiName,
      { apiId: api.id, routeKey: '$default', target: pulumi.interpolate`integrations/${integration.id}` },
      parent,
    );
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${apiName}-access`,
      { name: `/aws/apigateway/${apiName}`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    const stage = new aws.apigatewayv2.Stage(
      apiName,
      {
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
      },
      parent,
    );
    new aws.lambda.Permission(
      apiName,
      {
        action: 'lambda:InvokeFunction',
        function: alias.functionName,
        qualifier: alias.name,
        principal: 'apigateway.amazonaws.com',
        sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
      },
      parent,
    );
    if (customDomain) {
      const domainName = new aws.apigatewayv2.DomainName(
        apiName,
        {
          domainName: customDomain.domainName,
          domainNameConfiguration: {
            certificateArn: customDomain.certificateArn,
            endpointType: 'REGIONAL',
            securityPolicy: 'TLS_1_2',
          },
          tags,
        },
        parent,
      );
      new aws.apigatewayv2.ApiMapping(
        apiName,
        { apiId: api.id, domainName: domainName.domainName, stage: stage.id },
        parent,
      );
      customDomain.pointAt({
        dnsName: domainName.domainNameConfiguration.targetDomainName,
        zoneId: domainName.domainNameConfiguration.hostedZoneId,
      });
    }
    this.url = customDomain ? pulumi.output(customDomain.url) : stage.invokeUrl;
    this.accessLogGroup = accessLogs.name;
    this.registerOutputs({ url: this.url });
  }
}
