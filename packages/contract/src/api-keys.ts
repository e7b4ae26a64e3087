import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './settings/config-error.ts';

/** What a client may be allowed to do; `admin` holds every other scope. */
export const SCOPES = ['predict', 'feedback', 'read-metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Every key starts with this, so that a key is told from a JWT, and a leaked one is found by secret scanners. */
export const API_KEY_PREFIX = 'glyco_';
const KEY_PATTERN = /^glyco_[A-Za-z0-9_-]{43}$/;

/** One key as the server stores it: never the key itself, only its SHA-256 (a key is 256 random bits). */
export interface ApiKeyEntry {
  /** Who holds the key; it names the client in the prediction log and in audit lines. */
  name: string;
  sha256: string;
  scopes: Scope[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const KeyEntrySchema = z.strictObject({
  name: z
    .string()
    .regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (the SHA-256 of the key)'),
  scopes: z.array(z.enum(SCOPES)).min(1, 'must name at least one scope'),
});
const KeysDocumentSchema = z.strictObject({ keys: z.array(KeyEntrySchema) });

/** Whether `name` can name a key (checked before a key is made). */
export function isKeyName(name: string): boolean {
  return NAME.test(name);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key, shown once to whoever makes it, and the entry the server stores. */
export function createApiKey(name: string, scopes: Scope[]): { key: string; entry: ApiKeyEntry } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, entry: { name, sha256: hashApiKey(key), scopes } };
}

/**
 * Reads the keys document, `{"keys": [{"name", "sha256", "scopes"}]}`; `source` names where it came from in the
 * error, which never repeats the text (it may be a secret's).
 */
export function parseKeysDocument(text: string, source: string): ApiKeyEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not JSON: expected {"keys": [{"name", "sha256", "scopes"}]}`);
  }
  const parsed = KeysDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const at = issue!.path.length > 0 ? ` at ${issue!.path.join('.')}` : '';
    throw new ConfigError(`${source}${at}: ${issue!.message}`);
  }
  const names = new Set<string>();
  for (const { name } of parsed.data.keys) {
    if (names.has(name))
      throw new ConfigError(`${source}: two keys are named "${name}"; names identify clients`);
    names.add(name);
  }
  return parsed.data.keys;
}

/** Finds the entry of a presented key by its hash; a string that is not shaped like a key is not hashed. */
export function apiKeyLookup(entries: readonly ApiKeyEntry[]): (key: string) => ApiKeyEntry | undefined {
  const byHash = new Map(entries.map((entry) => [entry.sha256, entry]));
  return (key) => (KEY_PATTERN.test(key) ? byHash.get(hashApiKey(key)) : undefined);
}
