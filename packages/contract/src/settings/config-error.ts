/** A setting of the app is wrong: the message names the variable and what it must be, never a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
