import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BinaryModelManifest, MANIFEST_FILE, type ModelManifest, parseManifest } from '@glyco/contract';
import { createLogger } from '@glyco/logger';
import { NO_METRICS, type PredictionRecord, type ServedPredictionLog } from '@glyco/prediction-log';
import { type BootstrapOptions, bootstrap, type Runtime } from '../../src/bootstrap.ts';
import { loadConfig, type ServerConfig } from '../../src/config.ts';
import { resolveModelDirectory } from '../../src/model/model-uri.ts';

/** The manifest in a model version directory, of the task the test expects. */
export function manifestIn<Task extends ModelManifest['task']>(
  directory: string,
  task: Task,
): Extract<ModelManifest, { task: Task }> {
  const manifest = parseManifest(JSON.parse(readFileSync(join(directory, MANIFEST_FILE), 'utf8')));
  if (manifest.task !== task) throw new Error(`${directory} holds a ${manifest.task} model, not ${task}`);
  return manifest as Extract<ModelManifest, { task: Task }>;
}

/** The bundled default model's newest version directory and manifest: a binary model on numbers. */
export const MODEL_DIR = await resolveModelDirectory(undefined);
export const MANIFEST: BinaryModelManifest = manifestIn(MODEL_DIR, 'binary');

/** Configuration from a test environment: no database, loopback, an ephemeral port. */
export function testConfig(env: Record<string, string> = {}): ServerConfig {
  return { ...loadConfig({ DATABASE_URL: 'off', ...env }), host: '127.0.0.1', port: 0 };
}

/** A prediction log that keeps what it is handed, to see what the app records. */
export function recordingLog(): ServedPredictionLog & { records: PredictionRecord[]; flushes: number } {
  const log = {
    records: [] as PredictionRecord[],
    flushes: 0,
    record(batch: readonly PredictionRecord[]) {
      log.records.push(...batch);
      return undefined;
    },
    async flush() {
      log.flushes++;
    },
    state: () => ({ state: 'ok' as const }),
    async close() {},
    metrics: () => NO_METRICS,
    reader: undefined,
  };
  return log;
}

/** A runtime on the bundled model whose log lines are kept in `lines` instead of printed. */
export async function testRuntime(
  options: BootstrapOptions & { env?: Record<string, string> } = {},
): Promise<Runtime & { lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (chunk) => {
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line));
    },
  });
  const runtime = await bootstrap(testConfig(options.env), { logger, ...options });
  return Object.assign(runtime, { lines });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A valid row of the bundled model: a raw Pima row, zero insulin meaning "not measured". */
export const VALID_ROW = {
  pregnant: 2,
  glucose: 148,
  pressure: 72,
  triceps: 35,
  insulin: 0,
  mass: 33.6,
  pedigree: 0.627,
  age: 50,
};
