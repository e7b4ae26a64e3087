import type { Context } from 'hono';
import type { AppEnv } from './context.ts';
import type { Problem, ProblemBody, ProblemKind } from './problem.ts';
import { respond } from './respond.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The MLflow scoring protocol's path: its clients read MLflow's error members. */
export const MLFLOW_INVOCATIONS_PATH = '/invocations';

/**
 * MLflow's `error_code` for each problem, as its scoring server raises them (mlflow/mlflow@006c18cc,
 * mlflow/pyfunc/scoring_server/__init__.py: BAD_REQUEST for a body it cannot read, INVALID_PARAMETER_VALUE
 * for values that break the model's schema) and as mlflow/exceptions.py maps the others to HTTP statuses.
 */
const MLFLOW_ERROR_CODES: Record<ProblemKind, string> = {
  'malformed-request': 'BAD_REQUEST',
  'unsupported-media-type': 'BAD_REQUEST',
  'content-too-large': 'BAD_REQUEST',
  'invalid-input': 'INVALID_PARAMETER_VALUE',
  // mlflow/protos/databricks.proto's ErrorCode names for 401, 403 and 429.
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  'too-many-requests': 'REQUEST_LIMIT_EXCEEDED',
  'not-found': 'ENDPOINT_NOT_FOUND',
  'method-not-allowed': 'BAD_REQUEST',
  'not-ready': 'TEMPORARILY_UNAVAILABLE',
  'not-logged': 'TEMPORARILY_UNAVAILABLE',
  'client-closed-request': 'CANCELLED',
  'internal-error': 'INTERNAL_ERROR',
};

/**
 * Values a client of the protocol cannot use are a 400 there: the Open Inference Protocol says so of every
 * failed request ("typically 400", kserve/open-inference-protocol, specification/protocol/inference_rest.md)
 * and MLflow answers 400 for BAD_REQUEST and INVALID_PARAMETER_VALUE alike (mlflow/exceptions.py).
 */
function protocolStatus(status: number): number {
  return status === 422 ? 400 : status;
}

/** A problem body with the extension members a protocol's clients read. */
type ProtocolProblemBody = ProblemBody & { error?: string; error_code?: string; message?: string };

/**
 * The problem as the route's clients read it. RFC 9457 allows extension members, so the protocols' own are
 * added beside the standard ones: `error` for Open Inference Protocol clients (`/v2/`), `error_code` and
 * `message` for MLflow's (`/invocations`).
 */
function protocolBody(path: string, problem: Problem, body: ProblemBody): ProtocolProblemBody {
  if (path.startsWith('/v2/')) {
    return { ...body, status: protocolStatus(body.status), error: body.detail };
  }
  if (path === MLFLOW_INVOCATIONS_PATH) {
    const status = protocolStatus(body.status);
    return { ...body, status, error_code: MLFLOW_ERROR_CODES[problem.kind], message: body.detail };
  }
  return body;
}

/** Renders a Problem as RFC 9457 JSON, in the error shape of the protocol its route speaks. */
export function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  const body = protocolBody(c.req.path, problem, problem.body(c.get('requestId')));
  return respond(c, JSON.stringify(body), PROBLEM_CONTENT_TYPE, body.status, problem.headers);
}
