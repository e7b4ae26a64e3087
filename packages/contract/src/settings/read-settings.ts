import { APP_SETTINGS, type AppVariable, type SettingValue } from './app-settings.ts';
import { ConfigError } from './config-error.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SettingsReader {
  /** The variable's value, or its fallback when it is unset or empty; a bad value is noted, and falls back. */
  read<V extends AppVariable>(name: V): SettingValue<V>;
  /** Notes a problem that takes more than one variable to see. */
  refuse(problem: string): void;
}

/**
 * Builds settings from environment variables with `build`, which reads the ones it needs. Every bad value is
 * reported at once, by name, in one ConfigError: a process fails fast at startup instead of misbehaving later.
 */
export function readSettings<T>(env: Environment, build: (reader: SettingsReader) => T): T {
  const problems: string[] = [];
  const reader: SettingsReader = {
    read(name) {
      const { parse, fallback } = APP_SETTINGS[name];
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      try {
        return parse(raw);
      } catch (error) {
        const { message } = error as Error;
        // The DATABASE_* and model URI grammars name the variable already.
        problems.push(message.startsWith(name) ? message : `${name} ${message}`);
        return fallback;
      }
    },
    refuse(problem) {
      problems.push(problem);
    },
  };
  const settings = build(reader);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return settings;
}
