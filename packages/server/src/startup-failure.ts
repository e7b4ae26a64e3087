import { ConfigError } from './config.ts';
import { ModelLoadError } from './model/model-load-error.ts';
import { ListenError } from './node-server.ts';

/** The failures a deployment can cause (bad env, bad model, busy port): reported in one line, without a stack. */
export function isStartupFailure(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof ModelLoadError || error instanceof ListenError;
}
