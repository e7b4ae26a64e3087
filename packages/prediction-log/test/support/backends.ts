import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, beforeEach, describe, it } from 'vitest';
import type { DatabaseOptions } from '../../src/index.ts';

/** A fresh, empty database of one backend, and a plain connection to look into it. */
export interface TestDatabase {
  options: DatabaseOptions;
  /** Runs one query on a connection of its own (PGlite: only while no log holds the data dir). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why the backend cannot run here, or undefined. */
  unavailable: string | undefined;
  create(): Promise<TestDatabase>;
}

const testDatabaseUrl = process.env.TEST_DATABASE_URL;
if (!testDatabaseUrl && process.env.CI === 'true') {
  throw new Error(
    'TEST_DATABASE_URL is not set: CI must run the log tests against PostgreSQL (.ci/postgres.sh)',
  );
}

export const postgres: TestBackend = {
  name: 'postgres',
  unavailable: testDatabaseUrl
    ? undefined
    : 'TEST_DATABASE_URL is not set (run `source .ci/postgres.sh && start_test_postgres`)',
  async create() {
    const name = `glyco_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await onServer(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${name}`;
    return {
      options: { database: { url: url.toString() } },
      query: (sql, params) => queryPostgres(url.toString(), sql, params),
      drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  },
};

async function onServer(sql: string): Promise<void> {
  await queryPostgres(testDatabaseUrl!, sql);
}

/** Runs one query on a connection of its own to a PostgreSQL server, to look into what a log wrote there. */
export async function queryPostgres<Row = Record<string, unknown>>(
  url: string,
  sql: string,
  params?: unknown[],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs one query on an embedded database, opened for it: only while no log holds its data directory. */
export async function queryPglite<Row = Record<string, unknown>>(
  dataDir: string,
  sql: string,
  params?: unknown[],
): Promise<Row[]> {
  const db = await PGlite.create(dataDir);
  try {
    return (await db.query<Row>(sql, params)).rows;
  } finally {
    await db.close();
  }
}

export const pglite: TestBackend = {
  name: 'pglite',
  unavailable: undefined,
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'glyco-pglite-'));
    const dataDir = join(dir, 'data');
    await cp(await pgliteTemplate(), dataDir, { recursive: true });
    return {
      options: { dataDir },
      query: (sql, params) => queryPglite(dataDir, sql, params),
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

export const backends: readonly TestBackend[] = [pglite, postgres];

/** What a test of `describeEachBackend` works on; `db` and `spoolDir` are fresh for every test. */
export interface BackendUnderTest {
  backend: TestBackend;
  db: TestDatabase;
  spoolDir: string;
}

/**
 * A guard against a hang, not a measure of speed: vitest's 5 s default is shorter than the work. Opening a PGlite
 * database instantiates PostgreSQL in WebAssembly: 0.4 s on this 2-core machine when quiet, and a test opens one
 * two or three times (the log's worker, then a connection to look into what it wrote); the first test of a run
 * also builds the template (initdb: 3-6 s). With four test files in parallel and a load average of 6, CI saw
 * such tests take 6-8 s and time out although nothing hung.
 */
const BACKEND_TEST_TIMEOUT_MS = 60_000;

/**
 * Declares `tests` once per backend (`$name` in the title is the backend's), each test on an empty database and spool
 * dir of its own, dropped after it. A backend that cannot run here shows as one skipped test that says why.
 */
export function describeEachBackend(title: string, tests: (current: BackendUnderTest) => void): void {
  describe.each(backends)(title, { timeout: BACKEND_TEST_TIMEOUT_MS }, (backend) => {
    if (backend.unavailable) {
      it.skip(`needs ${backend.name}: ${backend.unavailable}`, () => {});
      return;
    }
    const current = { backend } as BackendUnderTest;
    beforeEach(async () => {
      current.db = await backend.create();
      current.spoolDir = await mkdtemp(join(tmpdir(), `glyco-${backend.name}-spool-`));
    }, BACKEND_TEST_TIMEOUT_MS);
    afterEach(async () => {
      await current.db.drop();
      await rm(current.spoolDir, { recursive: true, force: true });
    });
    tests(current);
  });
}

/**
 * Creating a PGlite database takes seconds (initdb in WebAssembly); copying a created one takes a fraction.
 * One empty template per PGlite version is kept in the temp dir, built once by whichever test gets there first.
 */
async function pgliteTemplate(): Promise<string> {
  const manifest = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  const template = join(tmpdir(), `glyco-pglite-template-${version}`);
  if (await exists(template)) return template;
  const building = await mkdtemp(join(tmpdir(), 'glyco-pglite-building-'));
  const db = await PGlite.create(building);
  await db.close();
  await rename(building, template).catch(async () => rm(building, { recursive: true, force: true }));
  return template;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
