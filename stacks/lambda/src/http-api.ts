import type { Tags } from '@glyco/infra';
import type { PublicDomain } from '@glyco/infra/target';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ROUTE_CLASSES, SCOPED_ROUTES } from './routes.ts';
import type { LambdaSettings } from './settings.ts';

export interface HttpApiArgs {
  apiName: string;
  tags: Tags;
  alias: aws.lambda.Alias;
  settings: Pick<
    LambdaSettings,
    'throttleRatePerSecond' | 'throttleBurst' | 'routeThrottles' | 'logRetentionDays'
  >;
  /** Serve the API on this name (its certificate, its alias record) instead of the execute-api one. */
  customDomain: PublicDomain | undefined;
}

/** Route keys as logical names: `POST /v2/models/{name}/infer` → `post-v2-models-name-infer`. */
const routeName = (routeKey: string) =>
  routeKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * An HTTPS endpoint for the function: an HTTP API whose default stage throttles each route by its class (see
 * routes.ts), every other path by the stage's default limits, and writes access logs. It
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
    const target = pulumi.interpolate`integrations/${integration.id}`;
    const route = (name: string, routeKey: string) =>
      new aws.apigatewayv2.Route(name, { apiId: api.id, routeKey, target }, parent);
    const routes = [route(apiName, '$default')];
    const routeSettings: aws.types.input.apigatewayv2.StageRouteSetting[] = [];
    for (const routeClass of ROUTE_CLASSES) {
      const { ratePerSecond, burst } = settings.routeThrottles[routeClass];
      for (const routeKey of SCOPED_ROUTES[routeClass]) {
        routes.push(route(`${apiName}-${routeName(routeKey)}`, routeKey));
        // Both limits, always: a route setting that leaves one out throttles the route to 0, refusing every
        // request (terraform-aws-modules/terraform-aws-apigateway-v2 issues #30 and #59).
        routeSettings.push({ routeKey, throttlingRateLimit: ratePerSecond, throttlingBurstLimit: burst });
      }
    }
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
        // Per route key, overriding the default for that route
        // (https://www.pulumi.com/registry/packages/aws/api-docs/apigatewayv2/stage/, `routeSettings`).
        routeSettings,
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
      // API Gateway refuses a route setting whose route does not exist yet ("Unable to find Route by key … within
      // the provided RouteSettings": terraform-aws-modules/terraform-aws-apigateway-v2 pull request #80).
      { ...parent, dependsOn: routes },
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
