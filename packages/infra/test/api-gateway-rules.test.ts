import { describe, expect, it } from 'vitest';
import { evaluateStack, type PolicyResource, STACK_RULES } from '../src/index.ts';

const rule = STACK_RULES.find((candidate) => candidate.name === 'prod-routes-throttled')!;
const API = 'urn:pulumi:prod::glyco-lambda::glyco:lambda:HttpApi::glyco-prod-api-gateway';
const route = (routeKey: string, parent = API): PolicyResource => ({
  type: 'aws:apigatewayv2/route:Route',
  name: routeKey,
  parent,
  props: { routeKey, target: 'integrations/i-1' },
});
const stage = (environment: string, routeSettings: object[]): PolicyResource => ({
  type: 'aws:apigatewayv2/stage:Stage',
  name: 'glyco-http-api',
  parent: API,
  props: {
    name: '$default',
    defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
    routeSettings,
    tags: { project: 'glyco', environment, 'managed-by': 'pulumi' },
  },
});
const limits = (routeKey: string, throttlingRateLimit?: number, throttlingBurstLimit?: number) => ({
  routeKey,
  throttlingRateLimit,
  throttlingBurstLimit,
});
const messages = (resources: PolicyResource[]) =>
  evaluateStack(resources, [rule]).map((violation) => violation.message);

describe('prod-routes-throttled', () => {
  const routes = [route('$default'), route('POST /predict'), route('POST /v1/feedback')];

  it('passes a prod stage that gives every route but $default both limits of its own', () => {
    const passing = stage('prod', [
      limits('POST /predict', 500, 1000),
      limits('POST /v1/feedback', 100, 200),
    ]);
    expect(messages([...routes, passing])).toEqual([]);
  });

  it('fails a prod stage with a route on the default limits, a limit left out (0: all refused), or a route the API lacks', () => {
    const failing = stage('prod', [limits('POST /predict', 500), limits('GET /metrics', 10, 20)]);
    expect(messages([...routes, failing])).toEqual([
      'stage glyco-http-api: route "POST /v1/feedback" has no limits of its own',
      'stage glyco-http-api: route "POST /predict" needs throttlingRateLimit and throttlingBurstLimit above 0 (one left out is 0: every request refused)',
      'stage glyco-http-api: route settings name "GET /metrics", which the API has no route for',
    ]);
  });

  it('leaves $default to the stage default: an API of that route alone passes, one more route without limits does not', () => {
    expect(messages([route('$default'), stage('prod', [])])).toEqual([]);
    expect(messages([route('$default'), route('POST /predict'), stage('prod', [])])).toEqual([
      'stage glyco-http-api: route "POST /predict" has no limits of its own',
    ]);
  });

  it("reads only the routes of the stage's own API (its component), and leaves dev stages alone", () => {
    const otherApi = route('GET /other', 'urn:pulumi:prod::glyco-lambda::glyco:lambda:HttpApi::another');
    const passing = stage('prod', [
      limits('POST /predict', 500, 1000),
      limits('POST /v1/feedback', 100, 200),
    ]);
    expect(messages([...routes, otherApi, passing])).toEqual([]);
    expect(messages([...routes, stage('dev', [])])).toEqual([]);
  });
});
