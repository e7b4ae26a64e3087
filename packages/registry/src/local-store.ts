import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { sha256Hex } from '@glyco/contract';
import { RegistryError, WriteConflictError } from './errors.ts';
import type { ObjectStore, StoredObject, WriteCondition } from './store.ts';

/** A registry in a local directory, with the same layout as on S3; the etag is the content's sha256. */
export class LocalStore implements ObjectStore {
  readonly uri: string;

  constructor(root: string) {
    this.uri = root;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    try {
      const body = await readFile(this.#path(key));
      return { body, etag: sha256Hex(body) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#failure(key, error);
    }
  }

  async readIfChanged(key: string, etag: string): Promise<StoredObject | 'unchanged' | undefined> {
    const object = await this.read(key);
    return object?.etag === etag ? 'unchanged' : object;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.#path(key))).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.#failure(key, error);
    }
  }

  /** Writes a hidden temporary file, then links (create-only) or renames it into place: readers never see half a file. */
  async write(key: string, body: Uint8Array, options: { condition?: WriteCondition }): Promise<void> {
    const target = this.#path(key);
    const temporary = join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(temporary, body);
      const condition = options.condition;
      if (condition && 'ifNoneMatch' in condition) {
        await link(temporary, target);
      } else {
        // Compare-and-swap is check-then-rename here: atomic enough for one operator on one machine.
        if (condition && (await this.read(key))?.etag !== condition.ifMatch)
          throw new WriteConflictError(key);
        await rename(temporary, target);
      }
    } catch (error) {
      if (error instanceof WriteConflictError || (error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WriteConflictError(`${join(this.uri, key)} changed or already exists`);
      }
      throw this.#failure(key, error);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async listKeys(folder: string): Promise<string[]> {
    try {
      const entries = await readdir(this.#path(folder), { recursive: true, withFileTypes: true });
      const base = this.#path(folder);
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(base, join(entry.parentPath, entry.name)).split(sep).join('/'))
        .filter((key) => !key.split('/').some((part) => part.startsWith('.')));
    } catch (error) {
      if (!isNotFound(error)) throw this.#failure(folder, error);
      if (folder === '') throw new RegistryError(`no registry at ${this.uri}: the directory does not exist`);
      return [];
    }
  }

  #path(key: string): string {
    const parts = key.split('/').filter((part) => part !== '');
    if (parts.some((part) => part === '.' || part === '..')) throw new RegistryError(`invalid key "${key}"`);
    return join(this.uri, ...parts);
  }

  #failure(key: string, error: unknown): RegistryError {
    return new RegistryError(`${join(this.uri, key)}: ${(error as Error).message}`, { cause: error });
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
