/** A setting of the prediction log is wrong: the message says which and how to fix it, never a secret. */
export class PredictionLogConfigError extends Error {
  override name = 'PredictionLogConfigError';
}
