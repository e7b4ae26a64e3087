import { loadConfig, type ServerConfig } from '../config.ts';

/** What the server makes of an environment a deployment gives it. */
export interface ServerReading {
  /** Its configuration; `loadConfig` throws a ConfigError instead when a value is bad. */
  config: ServerConfig;
  /** Variables set in the environment that the server never looked at: a deployment's settings it ignores. */
  unread: string[];
}

/** Reads an environment as the server does at startup (`loadConfig`), noting which variables it looks at. */
export function serverReading(env: Readonly<Record<string, string>>): ServerReading {
  const looked = new Set<string>();
  const watched = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') looked.add(name);
      return Reflect.get(target, name);
    },
  });
  const config = loadConfig(watched);
  return { config, unread: Object.keys(env).filter((name) => !looked.has(name)) };
}
