import { readWorkloadConfig, type WorkloadConfig } from '@glyco/infra';
import { type PublicDomainSettings, readPublicDomain } from '@glyco/infra/target';
import type * as pulumi from '@pulumi/pulumi';
import { ROUTE_CLASSES, type RouteClass } from './routes.ts';

/** An API Gateway throttle: a steady rate and the bucket of requests a burst may spend at once. */
export interface Throttle {
  ratePerSecond: number;
  burst: number;
}

/** Every config key the lambda stack reads (documented in the README, "Deploy to AWS"). */
export interface LambdaSettings extends WorkloadConfig {
  memoryMb: number;
  timeoutSeconds: number;
  /** Concurrency reserved for (and capping) the function; none by default (see concurrency.ts). */
  reservedConcurrency: number | undefined;
  provisionedConcurrency: number;
  /** The stage's default limits: routes that need no scope, and paths the app does not serve. */
  throttleRatePerSecond: number;
  throttleBurst: number;
  /** The limits of each class of routes (see routes.ts), config `routeThrottles`. */
  routeThrottles: Record<RouteClass, Throttle>;
  /** Alarm when the 99th percentile duration exceeds this many milliseconds. */
  alarmP99DurationMs: number;
  /** Alarm when a 5-minute window has at least this many errors. */
  alarmErrors: number;
  /** SNS topic notified by the alarms (optional). */
  alarmTopicArn: string | undefined;
  /** A custom domain for the API; without one it answers on its execute-api name (AWS's certificate). */
  domain: PublicDomainSettings | undefined;
}

/**
 * API Gateway's default account-level quota per Region, shared by every API of the account there: 10,000
 * requests per second with a bucket of 5,000 (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 * A stage or route limit cannot exceed the account's; each is a target applied on a best-effort basis, and a
 * request the account's bucket refuses is refused whatever the route allows
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html).
 */
const MAX_RATE = 10_000;
const MAX_BURST = 5_000;

/** Predicting clients the most, feedback less, metrics readers less again, the admin's export the least. */
const DEFAULT_ROUTE_THROTTLES: Record<RouteClass, Throttle> = {
  predict: { ratePerSecond: 50, burst: 100 },
  feedback: { ratePerSecond: 20, burst: 40 },
  'read-metrics': { ratePerSecond: 5, burst: 10 },
  admin: { ratePerSecond: 1, burst: 2 },
};

/** `routeThrottles: {predict: {ratePerSecond, burst}, …}`: each class optional, each class given whole. */
function readRouteThrottles(value: unknown): Record<RouteClass, Throttle> {
  const given = objectOf(value ?? {}, 'routeThrottles', ROUTE_CLASSES);
  const throttle = (routeClass: RouteClass): Throttle => {
    const name = `routeThrottles.${routeClass}`;
    const limits = objectOf(given[routeClass], name, ['ratePerSecond', 'burst']);
    const limit = (field: keyof Throttle, max: number) => {
      const number = limits[field];
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > max) {
        throw new Error(`Config "${name}.${field}" must be a whole number from 1 to ${max}.`);
      }
      return number;
    };
    return { ratePerSecond: limit('ratePerSecond', MAX_RATE), burst: limit('burst', MAX_BURST) };
  };
  return Object.fromEntries(
    ROUTE_CLASSES.map((routeClass) => [
      routeClass,
      given[routeClass] === undefined ? DEFAULT_ROUTE_THROTTLES[routeClass] : throttle(routeClass),
    ]),
  ) as Record<RouteClass, Throttle>;
}

/** A config object whose keys are among `keys`; the error names the key and what it takes. */
function objectOf(value: unknown, name: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Config "${name}" must be an object of ${keys.join(', ')}.`);
  }
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new Error(`Config "${name}" has no "${unknown[0]}"; it takes ${keys.join(', ')}.`);
  }
  return value as Record<string, unknown>;
}

export function readLambdaSettings(config: pulumi.Config): LambdaSettings {
  const timeoutSeconds = config.getNumber('timeoutSeconds', { min: 3, max: 900 }) ?? 15;
  const reservedConcurrency = config.getNumber('reservedConcurrency', { min: 1, max: 100_000 });
  const provisionedConcurrency = config.getNumber('provisionedConcurrency', { min: 0, max: 100_000 }) ?? 0;
  if (reservedConcurrency !== undefined && provisionedConcurrency > reservedConcurrency) {
    throw new Error(
      `Config "provisionedConcurrency" (${provisionedConcurrency}) cannot exceed "reservedConcurrency" (${reservedConcurrency}).`,
    );
  }
  return {
    ...readWorkloadConfig(config),
    // ORT needs headroom beyond the model; 1769 MB is one full vCPU.
    memoryMb: config.getNumber('memoryMb', { min: 512, max: 10240 }) ?? 2048,
    timeoutSeconds,
    reservedConcurrency,
    provisionedConcurrency,
    throttleRatePerSecond: config.getNumber('throttleRatePerSecond', { min: 1, max: MAX_RATE }) ?? 50,
    throttleBurst: config.getNumber('throttleBurst', { min: 1, max: MAX_BURST }) ?? 100,
    routeThrottles: readRouteThrottles(config.getObject<unknown>('routeThrottles')),
    alarmP99DurationMs:
      config.getNumber('alarmP99DurationMs', { min: 10, max: timeoutSeconds * 1000 }) ?? timeoutSeconds * 800,
    alarmErrors: config.getNumber('alarmErrors', { min: 1 }) ?? 5,
    alarmTopicArn: config.get('alarmTopicArn', { pattern: /^arn:aws[a-z-]*:sns:/ }),
    domain: readPublicDomain(config),
  };
}
