import { z } from 'zod';
import { RegistryError, WriteConflictError } from './errors.ts';
import { aliasKey } from './layout.ts';
import type { ObjectStore } from './store.ts';

const AliasMoveSchema = z.object({
  action: z.enum(['promote', 'rollback']),
  version: z.string(),
  /** The version the alias pointed to before this move. */
  from: z.string().optional(),
  at: z.iso.datetime(),
  by: z.string(),
  reason: z.string(),
  /** A promotion that bypassed the metric gates. */
  forced: z.boolean().optional(),
});
export type AliasMove = z.infer<typeof AliasMoveSchema>;

/**
 * `<name>/aliases/<alias>.json` (a contract). `version` is what the alias serves, `previous` where a rollback
 * goes; both follow from `history`, every move oldest first, kept forever as the audit trail.
 */
export const AliasRecordSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  alias: z.string(),
  version: z.string(),
  previous: z.string().optional(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  reason: z.string(),
  history: z.array(AliasMoveSchema).min(1),
});
export type AliasRecord = z.infer<typeof AliasRecordSchema>;

/** The versions an alias has been promoted to and not rolled back from: promote pushes, rollback pops. */
function releaseStack(history: AliasMove[]): string[] {
  const stack: string[] = [];
  for (const move of history) {
    if (move.action === 'promote') stack.push(move.version);
    else stack.pop();
  }
  return stack;
}

export function applyMove(
  current: AliasRecord | undefined,
  name: string,
  alias: string,
  move: AliasMove,
): AliasRecord {
  const history = [...(current?.history ?? []), move];
  const stack = releaseStack(history);
  const version = stack.at(-1);
  if (version !== move.version) throw new RegistryError(`${alias}: cannot ${move.action} to ${move.version}`);
  return {
    schemaVersion: 1,
    name,
    alias,
    version,
    previous: stack.at(-2),
    updatedAt: move.at,
    updatedBy: move.by,
    reason: move.reason,
    history,
  };
}

export function decodeAlias(bytes: Uint8Array, where: string): AliasRecord {
  let record: AliasRecord;
  try {
    record = AliasRecordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error).replaceAll('\n', ' ') : String(error);
    throw new RegistryError(`${where}: not a valid alias record (${detail})`);
  }
  const stack = releaseStack(record.history);
  if (record.version !== stack.at(-1) || record.previous !== stack.at(-2)) {
    throw new RegistryError(
      `${where}: version and previous disagree with the history; was it edited by hand?`,
    );
  }
  return record;
}

export async function readAlias(
  store: ObjectStore,
  name: string,
  alias: string,
): Promise<{ record: AliasRecord; etag: string } | undefined> {
  const key = aliasKey(name, alias);
  const object = await store.read(key);
  return object && { record: decodeAlias(object.body, `${store.uri}/${key}`), etag: object.etag };
}

export async function requireAlias(
  store: ObjectStore,
  name: string,
  alias: string,
): Promise<{ record: AliasRecord; etag: string }> {
  const found = await readAlias(store, name, alias);
  if (!found) throw noSuchAlias(store, name, alias);
  return found;
}

export function noSuchAlias(store: ObjectStore, name: string, alias: string): RegistryError {
  return new RegistryError(`${name} has no alias "${alias}" in ${store.uri}`);
}

/** Writes only if the alias is still as it was read (`etag`), or still absent: two releases never interleave. */
export async function writeAlias(
  store: ObjectStore,
  record: AliasRecord,
  etag: string | undefined,
): Promise<void> {
  const body = new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`);
  try {
    await store.write(aliasKey(record.name, record.alias), body, {
      contentType: 'application/json',
      condition: etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
    });
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
    throw new RegistryError(
      `${record.name}@${record.alias} was changed by someone else meanwhile; run again`,
    );
  }
}
