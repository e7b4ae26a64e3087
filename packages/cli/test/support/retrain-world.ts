import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgres, type TestDatabase } from '@glyco/prediction-log/testing';
import { type ObjectStore, openRegistry, promote, publish } from '@glyco/registry';
import { seededRandom } from '@glyco/trainer/random';
import { BUCKET, s3Env, startS3, temporaryDir } from '../../../registry/test/support.ts';
import { type ServerProcess, startServerProcess } from '../../../server/test/support/server-process.ts';
import type { LabelledSource } from '../../src/retrain/labelled-source.ts';
import type { RetrainSettings } from '../../src/retrain/retrain.ts';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const MAIN = join(ROOT, 'packages/cli/src/main.ts');
export const MODEL = 'pima-diabetes';

/** A bundled model that a test world serves as its champion, and the data it was trained on. */
export interface WorldModel {
  name: string;
  version: string;
  target: string;
  /** Its directory and its training CSV, under the repository root. */
  dir: string;
  data: string;
}
export const PIMA: WorldModel = {
  name: MODEL,
  version: '1.1.0',
  target: 'diabetes',
  dir: 'models/pima-diabetes/1.1.0',
  data: 'data/pima-indians-diabetes.csv',
};

export type Outcome = { code: number | null; stdout: string; stderr: string };

/** Runs `glyco` as a user does, in a child process. */
export function glyco(args: string[], env: Record<string, string>, cwd: string): Promise<Outcome> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A bundled data set's rows (all numeric), each with its target apart, as clients would send the features. */
export function dataRows(model: WorldModel): { features: Record<string, number>; target: string }[] {
  const [header, ...lines] = readFileSync(join(ROOT, model.data), 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',').map((name) => name.replaceAll('"', ''));
  return lines.map((line) => {
    const cells = line.split(',');
    const features = Object.fromEntries(
      names.flatMap((name, i) => (name === model.target ? [] : [[name, Number(cells[i])]])),
    );
    return { features, target: cells[names.indexOf(model.target)]!.replaceAll('"', '') };
  });
}

/** How many predictions a test world's clients send. */
const ROWS = 1000;

/**
 * The shift: the predictions now come from an older population (25 years added to every age), and whether they
 * turn positive depends on blood pressure (a steep logistic step at 72 mm Hg), which the champion barely uses, no
 * longer on glucose as in the training data.
 */
export function shifted(rows: Record<string, number>[]) {
  return rows.map((row) => ({ ...row, age: Math.min(row.age! + 25, 120) }));
}
export const pressureDecides = (row: Record<string, number>, _: Answer, random: () => number): 0 | 1 =>
  random() < 1 / (1 + Math.exp(-(row.pressure! - 72) / 2)) ? 1 : 0;
/** No shift at all: outcomes drawn from the probability the champion itself gives, so nothing can beat it. */
export const championIsRight = (_: Record<string, number>, answer: Answer, random: () => number): 0 | 1 =>
  random() < answer.probability! ? 1 : 0;

/** ROWS rows' features drawn from a model's data (Pima by default), seeded. */
export function sample(seed: number, model: WorldModel = PIMA): Record<string, number>[] {
  const rows = dataRows(model).map((row) => row.features);
  let state = seed;
  return Array.from({ length: ROWS }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return rows[state % rows.length]!;
  });
}

export type WorldKind = 'file registry, embedded log' | 's3 registry, postgres log';

/**
 * A registry whose `production` alias serves the bundled pima-diabetes 1.1.0 (published with its training data),
 * and the node server following that alias, logging predictions to the embedded database (in `cwd`) or to a
 * PostgreSQL database of its own.
 */
export interface World {
  registry: string;
  /** The registry, for the test's own reads. */
  store: ObjectStore;
  /** What a process of this world needs: the S3 endpoint and keys, the log's DATABASE_URL. */
  env: Record<string, string>;
  cwd: string;
  server: ServerProcess;
  base: string;
  stop(): Promise<void>;
}

/**
 * `glyco retrain <name>` against a world's registry with JSON output, reading the log through the server where the
 * server holds it (the embedded log), else from the database its DATABASE_URL names.
 */
export function retrainArgs(world: World, name: string): string[] {
  const fromServer = world.env.DATABASE_URL ? [] : ['--from-server', world.base];
  return ['retrain', name, '--registry', world.registry, '--json', ...fromServer];
}

export async function startWorld(kind: WorldKind, model: WorldModel = PIMA): Promise<World> {
  const scratch = await temporaryDir('retrain-world');
  const cleanups: (() => Promise<unknown>)[] = [scratch.remove];
  try {
    let registry = join(scratch.dir, 'registry');
    let env: Record<string, string> = { DATABASE_URL: '' };
    let storeOptions = {};
    if (kind === 's3 registry, postgres log') {
      const s3 = await startS3();
      cleanups.unshift(s3.stop);
      const database: TestDatabase = await postgres.create();
      cleanups.unshift(database.drop);
      registry = `s3://${BUCKET}/models`;
      env = {
        ...(s3Env(s3.endpoint) as Record<string, string>),
        DATABASE_URL: database.options.database!.url!,
      };
      storeOptions = { s3Client: s3.client };
    }
    const store = openRegistry(registry, storeOptions);
    await publish(store, join(ROOT, model.dir), { data: join(ROOT, model.data) });
    await promote(store, { name: model.name, version: model.version, alias: 'production', actor: 'test' });
    const server = await startServerProcess(
      {
        ...env,
        MODEL_URI: `${registry}/${model.name}@production`,
        MODEL_POLL_INTERVAL_SECONDS: '0.2',
        MODEL_CACHE_DIR: join(scratch.dir, 'cache'),
      },
      undefined,
      scratch.dir,
    );
    cleanups.unshift(async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    });
    return {
      registry,
      store,
      env,
      cwd: scratch.dir,
      server,
      base: `http://127.0.0.1:${server.port}`,
      async stop() {
        for (const cleanup of cleanups) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw error;
  }
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** One row's answer from `/predict`, of whichever task: the fields a test's outcomes are drawn from. */
export type Answer = { probability?: number; probabilities?: Record<string, number>; value?: number };

/**
 * Sends the rows to `/predict` in requests of 50, then reports each row's outcome to `/v1/feedback` (a class index
 * or label, or a value), as decided by `outcomeOf` from the row and the server's answer to it (with a seeded
 * random source).
 */
export async function predictAndReport(
  base: string,
  rows: Record<string, number>[],
  outcomeOf: (row: Record<string, number>, answer: Answer, random: () => number) => number | string,
  seed: number,
): Promise<void> {
  const random = seededRandom(seed);
  for (let start = 0; start < rows.length; start += 50) {
    const instances = rows.slice(start, start + 50);
    const response = await post(`${base}/predict`, { instances });
    if (response.status !== 200)
      throw new Error(`predict answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { predictions: Answer[]; request_id: string };
    for (const [index, prediction] of answer.predictions.entries()) {
      const outcome = outcomeOf(instances[index]!, prediction, random);
      const feedback = await post(`${base}/v1/feedback`, { request_id: answer.request_id, index, outcome });
      if (feedback.status !== 200)
        throw new Error(`feedback answered ${feedback.status}: ${await feedback.text()}`);
    }
  }
}

/** Clients sending predictions back to back until stopped; how many answers were not 200. */
export function steadyLoad(base: string, row: Record<string, number>, clients = 4) {
  let stopping = false;
  const counts = { ok: 0, failed: 0, versions: new Set<string>() };
  const client = async () => {
    while (!stopping) {
      try {
        const response = await post(`${base}/predict`, row);
        const body = (await response.json()) as { model?: { version: string } };
        if (response.status === 200) {
          counts.ok++;
          counts.versions.add(body.model!.version);
        } else counts.failed++;
      } catch {
        counts.failed++;
      }
    }
  };
  const running = Array.from({ length: clients }, client);
  return {
    async stop() {
      stopping = true;
      await Promise.all(running);
      return counts;
    },
  };
}

/** The version the server serves now. */
export async function servedVersion(base: string): Promise<string> {
  return ((await (await fetch(`${base}/ready`)).json()) as { model: { version: string } }).model.version;
}

/**
 * The settings `glyco retrain` uses by default (its CLI defaults), for a retrain run in the test's own process
 * against the `production` alias of `registry`, reading `source`, working in `workDir`.
 */
export function retrainDefaults(
  registry: string,
  source: LabelledSource,
  workDir: string,
  patch: Partial<RetrainSettings> = {},
): RetrainSettings {
  return {
    registry,
    name: MODEL,
    alias: 'production',
    source,
    holdout: 0.3,
    minRows: 200,
    confidence: 0.95,
    resamples: 200,
    when: 'always',
    driftWindow: { text: '7d', since: new Date(0) },
    dryRun: false,
    lockTtlMs: 60_000,
    workDir,
    report: () => {},
    ...patch,
  };
}
