import type { Logger } from '@glyco/logger';
import type { ServedPredictionLog } from '@glyco/prediction-log';
import type { RunEntry } from '@glyco/registry';
import type { Authenticator } from './auth/authenticator.ts';
import type { RequestLimits } from './config.ts';
import type { ClientLimits } from './limits/client-limits.ts';
import type { AppMetrics } from './metrics/app-metrics.ts';
import type { ModelHolder } from './model/model-holder.ts';

/** What the app is built from; every route module receives the same object. */
export interface AppDeps {
  models: ModelHolder;
  predictionLog: ServedPredictionLog;
  limits: RequestLimits;
  /** Checks credentials against each route's declared access; undefined: authentication is off. */
  authenticator: Authenticator | undefined;
  /** Requests and rows per second per client. */
  clientLimits: ClientLimits;
  logger: Logger;
  metrics: AppMetrics;
  /** The served model's newest runs in its registry, when the server follows an alias there; for the model card. */
  recentRuns?: ((limit: number) => Promise<RunEntry[]>) | undefined;
  /** True once shutdown has begun: readiness turns 503 so load balancers stop sending traffic. */
  isDraining: () => boolean;
}
