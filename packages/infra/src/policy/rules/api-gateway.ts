import { at, environmentOf, list, type PolicyResource, type StackRule } from '../rule.ts';

const STAGE = 'aws:apigatewayv2/stage:Stage';
const ROUTE = 'aws:apigatewayv2/route:Route';
const DEFAULT_ROUTE = '$default';

const positive = (value: unknown) => typeof value === 'number' && value > 0;

/**
 * In prod, every route of an HTTP API has limits of its own on each stage (`routeSettings`), beside the stage's
 * default ones, which the `$default` route takes (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html,
 * "Route-level throttling"). A route setting needs both limits: one left out is 0, which refuses every request
 * (terraform-aws-modules/terraform-aws-apigateway-v2 issues #30 and #59); and it must name a route the API has,
 * or API Gateway refuses the stage ("Unable to find Route by key", ibid. pull request #80).
 *
 * A stage and its API's routes are told by their parent (the component that makes the API), not by `apiId`,
 * which a preview of a new API does not know yet.
 */
export const prodRoutesThrottled: StackRule = {
  name: 'prod-routes-throttled',
  description:
    'In prod, each HTTP API stage throttles every route of its API with both limits of its own, and names no route the API lacks.',
  check: (resources) => {
    const routesOf = (stage: PolicyResource) =>
      resources
        .filter((resource) => resource.type === ROUTE && resource.parent === stage.parent)
        .map((route) => String(route.props.routeKey));
    return resources
      .filter((resource) => resource.type === STAGE && environmentOf(resource) === 'prod')
      .flatMap((stage) => {
        const routeKeys = routesOf(stage);
        const settings = new Map(
          list(stage.props.routeSettings).map((setting) => [String(at(setting, 'routeKey')), setting]),
        );
        const unthrottled = routeKeys.filter((key) => key !== DEFAULT_ROUTE && !settings.has(key));
        const partial = [...settings].filter(
          ([, setting]) =>
            !positive(at(setting, 'throttlingRateLimit')) || !positive(at(setting, 'throttlingBurstLimit')),
        );
        const missing = [...settings.keys()].filter((key) => !routeKeys.includes(key));
        return [
          ...unthrottled.map((key) => `stage ${stage.name}: route "${key}" has no limits of its own`),
          ...partial.map(
            ([key]) =>
              `stage ${stage.name}: route "${key}" needs throttlingRateLimit and throttlingBurstLimit above 0 (one left out is 0: every request refused)`,
          ),
          ...missing.map(
            (key) => `stage ${stage.name}: route settings name "${key}", which the API has no route for`,
          ),
        ];
      });
  },
};
