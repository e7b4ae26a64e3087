import { ConfigError } from '@glyco/contract';
import { createLogger } from '@glyco/logger';
import { DirectoryInUseError, PredictionLogConfigError } from '@glyco/prediction-log';
import { ModelLoadError } from './model/model-load-error.ts';

/** The node server cannot listen where it is told to (a busy port, an address not on this host). */
export class ListenError extends Error {
  override name = 'ListenError';
}

/**
 * The failures a deployment can cause (bad env, bad model, a prediction log it cannot open, busy port): reported
 * in one line, without a stack.
 */
export function isStartupFailure(error: unknown): error is Error {
  return (
    error instanceof ConfigError ||
    error instanceof ModelLoadError ||
    error instanceof PredictionLogConfigError ||
    error instanceof DirectoryInUseError ||
    error instanceof ListenError
  );
}

/** Writes the failure as one JSON line, whatever LOG_LEVEL says: a process that will not start must say why. */
export function reportStartupFailure(error: Error): void {
  const logger = createLogger({ level: 'error' });
  logger.error(error.message, { error: error.name });
  logger.flush();
}
