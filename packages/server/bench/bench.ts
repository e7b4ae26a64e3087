/**
 * `pnpm bench`: one run on loopback, servers and load generator (autocannon, 32 connections) in separate
 * processes. Measures the same-run ceilings (a bare Hono hello-world route in the server process, as a GET
 * and as a POST that reads and parses the one-row body), `/predict` with one row and with 1000 rows
 * (prediction log off), and single-row `/predict` with the prediction log on (embedded PGlite; PostgreSQL too
 * when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` is set), each in a server of its own, all interleaved over
 * several rounds so background load hits them alike; then the time from process start to the first successful
 * `/predict` for the bundle, the source entry and the CLI, with the embedded log as `pnpm start` has it.
 * Prints figures; asserts nothing. `BENCH_SECONDS` (5) and `BENCH_ROUNDS` (3) set the length.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type ModelManifest, parseManifest } from '@glyco/contract';
import { exampleRow } from '../src/model/example-row.ts';
import { resolveModelDirectory } from '../src/model/model-uri.ts';
import { freePort } from '../src/testing/free-port.ts';
import { benchHostileBodies } from './hostile.ts';
import { cpuMillis, median, percentile, run } from './measure.ts';
import { measureStartup } from './startup.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTS = 5;
const CONNECTIONS = 32;
const BATCH_ROWS = 1000;

/** Varied valid rows: each numeric feature drawn from its training quantiles, each categorical one in turn. */
function sampleRows(manifest: ModelManifest, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const row: Record<string, number | string> = { ...exampleRow(manifest) };
    manifest.features.forEach((feature, f) => {
      if (feature.dtype === 'category') {
        row[feature.name] = feature.categories[(i + f) % feature.categories.length]!;
        return;
      }
      const reference = manifest.reference.find((candidate) => candidate.feature === feature.name);
      const value =
        reference && 'quantiles' in reference ? reference.quantiles[(i * 7 + f * 13) % 101] : undefined;
      if (value === undefined) return;
      const clamped = Math.min(feature.max, Math.max(feature.min, value));
      row[feature.name] = feature.dtype === 'integer' ? Math.round(clamped) : clamped;
    });
    return row;
  });
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  rowsPerRequest: number;
  /** Server CPU time (user + system) per request, in µs: steadier than req/s on a shared machine. */
  cpuMicros: number;
}

async function load(
  name: string,
  server: ChildProcess,
  url: string,
  rowsPerRequest: number,
  body: string | undefined,
  seconds: number,
): Promise<Figures> {
  const cpuBefore = cpuMillis(server.pid);
  const result = await run({ url, connections: CONNECTIONS, seconds, body });
  const answered = result.latencies.length;
  const ok = result.statuses.get(200) ?? 0;
  if (ok !== answered || result.errors > 0) {
    throw new Error(`${name}: ${answered - ok} non-200 answers, ${result.errors} errors or timeouts`);
  }
  return {
    name,
    rps: answered / result.seconds,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    rowsPerRequest,
    cpuMicros: ((cpuMillis(server.pid) - cpuBefore) * 1000) / answered,
  };
}

/** Values of the server's Prometheus metrics, by their full name (labels included); 0 when absent. */
async function scrape(base: string): Promise<(name: string) => number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return (name) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s`);
}

/** Nothing of the prediction log left to write: the next scenario does not pay for this one's rows. */
async function logSettled(base: string): Promise<boolean> {
  const value = await scrape(base);
  return (
    value('glyco_prediction_log_state{state="ok"}') === 1 &&
    value('glyco_prediction_log_queue_rows') === 0 &&
    value('glyco_prediction_log_spool_bytes') === 0
  );
}

interface BenchServer {
  label: string;
  base: string;
  process: ChildProcess;
  /** The prediction log is on: wait for it to be open, and settled after each load. */
  logged: boolean;
}

/**
 * The bench server (the real app behind a hello route) with its prediction log set by `databaseUrl`, and
 * `PREDICTION_LOG_DURABILITY` by `durability`.
 */
async function startBenchServer(
  label: string,
  databaseUrl: string | undefined,
  cwd: string,
  durability: 'buffered' | 'strict' = 'buffered',
): Promise<BenchServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PREDICTION_LOG_DURABILITY: durability,
    // A spool of its own (with PostgreSQL it sits in the temp dir): servers of the bench never share one.
    TMPDIR: cwd,
  };
  if (databaseUrl === undefined) delete env.DATABASE_URL;
  else env.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, [join(packageDir, 'bench/server.ts')], {
    cwd,
    env,
    // Access logs stay on (info), written to /dev/null: their cost is part of the figures.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = { label, base, process: child, logged: databaseUrl !== 'off' };
  await waitUntil(`${label}: the server did not come up`, async () => (await fetch(`${base}/health`)).ok);
  if (server.logged) await waitUntil(`${label}: the prediction log did not open`, () => logSettled(base));
  return server;
}

const manifest = parseManifest(
  JSON.parse(await readFile(join(await resolveModelDirectory(process.env.MODEL_URI), MANIFEST_FILE), 'utf8')),
);
const single = JSON.stringify(sampleRows(manifest, 1)[0]);
const batch = JSON.stringify({ instances: sampleRows(manifest, BATCH_ROWS) });
const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
const scratch = await mkdtemp(join(tmpdir(), 'glyco-bench-'));

const servers: BenchServer[] = [];
const rounds: Figures[][] = [];
const ratios: number[] = [];
const postRatios: number[] = [];
/** Per log-on scenario, log on ÷ log off in each round. */
const logRatios = new Map<string, number[]>();
const coalesced: number[] = [];
try {
  const off = await startBenchServer('log off', 'off', scratch);
  servers.push(off);
  const logged: BenchServer[] = [];
  for (const durability of ['buffered', 'strict'] as const) {
    const label = (backend: string) => (durability === 'strict' ? `${backend}, strict` : backend);
    const pgliteDir = await mkdtemp(join(scratch, 'pglite-'));
    logged.push(await startBenchServer(label('PGlite'), undefined, pgliteDir, durability));
    if (postgresUrl) {
      const dir = await mkdtemp(join(scratch, 'postgres-'));
      logged.push(await startBenchServer(label('PostgreSQL'), postgresUrl, dir, durability));
    }
  }
  servers.push(...logged);
  const ceiling = { name: 'ceiling: GET /hello (bare Hono)', server: off, path: '/hello', rows: 0 };
  const postCeiling = { ...ceiling, name: 'ceiling: POST /hello, 1-row body', body: single };
  const predict = { name: 'POST /predict, 1 row', server: off, path: '/predict', rows: 1, body: single };
  const predictLogged = logged.map((server) => ({
    ...predict,
    name: `POST /predict, 1 row, log: ${server.label}`,
    server,
  }));
  const scenarios: { name: string; server: BenchServer; path: string; rows: number; body?: string }[] = [
    ceiling,
    postCeiling,
    predict,
    ...predictLogged,
    { ...predict, name: `POST /predict, ${BATCH_ROWS} rows`, rows: BATCH_ROWS, body: batch },
  ];
  for (const _ of scenarios) rounds.push([]);
  process.stdout.write(
    `${ROUNDS} rounds × ${scenarios.length} scenarios × ${SECONDS} s, ${CONNECTIONS} connections, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}` +
      `${postgresUrl ? '' : '\n(no PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL to bench the log on a server)'}\n`,
  );
  const measure = async (scenario: (typeof scenarios)[number], seconds: number, name = scenario.name) => {
    const { server } = scenario;
    const result = await load(
      name,
      server.process,
      `${server.base}${scenario.path}`,
      scenario.rows,
      scenario.body,
      seconds,
    );
    if (server.logged)
      await waitUntil(
        `${server.label}: the prediction log did not catch up`,
        () => logSettled(server.base),
        120_000,
      );
    return result;
  };
  for (const scenario of scenarios) await measure(scenario, Math.min(2, SECONDS), 'warm-up');
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Figures[] = [];
    for (const [i, scenario] of scenarios.entries()) {
      const before = await scrape(scenario.server.base);
      const result = await measure(scenario, SECONDS);
      const after = await scrape(scenario.server.base);
      if (scenario.rows === 1 && !scenario.server.logged) {
        const requests = 'glyco_inference_batch_requests_sum';
        const runs = 'glyco_inference_batch_requests_count';
        coalesced.push((after(requests) - before(requests)) / (after(runs) - before(runs)));
      }
      rounds[i]!.push(result);
      figures.push(result);
    }
    const rps = (scenario: (typeof scenarios)[number]) => figures[scenarios.indexOf(scenario)]!.rps;
    ratios.push(rps(predict) / rps(ceiling));
    postRatios.push(rps(predict) / rps(postCeiling));
    for (const scenario of predictLogged) {
      const { label } = scenario.server;
      logRatios.set(label, [...(logRatios.get(label) ?? []), rps(scenario) / rps(predict)]);
    }
    process.stdout.write(
      `round ${round + 1}: ${figures.map((f) => `${f.rps.toFixed(0)} req/s`).join(', ')}\n`,
    );
  }

  const percent = (values: number[]) =>
    `${(median(values) * 100).toFixed(0)}% (per round: ${values.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')})`;
  const pad = (text: string, width: number) => text.padStart(width);
  process.stdout.write(`\nmedians over ${ROUNDS} rounds\n`);
  process.stdout.write(
    `${'scenario'.padEnd(42)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('rows/s', 10)}${pad('server CPU/req', 16)}\n`,
  );
  rounds.forEach((figures, i) => {
    const { name, rows } = scenarios[i]!;
    const rps = median(figures.map((f) => f.rps));
    const at = (pick: (f: Figures) => number, digits: number) => median(figures.map(pick)).toFixed(digits);
    process.stdout.write(
      `${name.padEnd(42)}${pad(rps.toFixed(0), 9)}${pad(
        at((f) => f.p50, 2),
        9,
      )}${pad(
        at((f) => f.p99, 2),
        9,
      )}` + `${pad(rows ? (rps * rows).toFixed(0) : '-', 10)}${pad(`${at((f) => f.cpuMicros, 1)} µs`, 16)}\n`,
    );
  });
  process.stdout.write(`single-row /predict ÷ ceiling (GET): ${percent(ratios)}\n`);
  process.stdout.write(`single-row /predict ÷ POST ceiling: ${percent(postRatios)}\n`);
  process.stdout.write(`POST ceiling ÷ GET ceiling: ${percent(postRatios.map((r, i) => ratios[i]! / r))}\n`);
  process.stdout.write(
    `single-row /predict: ${median(coalesced).toFixed(1)} requests per model run (micro-batching)\n`,
  );
  for (const server of logged) {
    const value = await scrape(server.base);
    const counter = (name: string) => value(`glyco_prediction_log_${name}_total`);
    process.stdout.write(
      `single-row /predict, log on (${server.label}) ÷ log off: ${percent(logRatios.get(server.label)!)}; ` +
        `rows written ${counter('written')}, spooled ${counter('spooled')}, replayed ${counter('replayed')}, dropped ${counter('dropped')}\n`,
    );
  }
  await benchHostileBodies(off.base, off.process.pid, manifest, SECONDS);
} finally {
  for (const server of servers) server.process.kill('SIGTERM');
  await Promise.all(servers.map((server) => new Promise((resolve) => server.process.once('exit', resolve))));
}

const entries: [string, string[]][] = [
  ['bundle: node dist/server.mjs', [join(packageDir, 'dist/server.mjs')]],
  ['source: node src/node/main.ts', [join(packageDir, 'src/node/main.ts')]],
  ['pnpm start: glyco serve (source)', [join(packageDir, '../cli/src/main.ts'), 'serve']],
];
process.stdout.write(
  `\nprocess start → first successful POST /predict, with the embedded log: the first start creates its database, the next ${STARTS} open it (median)\n`,
);
for (const [label, args] of entries) {
  if (!existsSync(args[0]!)) {
    process.stdout.write(`${label.padEnd(34)} skipped: run the build first\n`);
    continue;
  }
  const cwd = await mkdtemp(join(scratch, 'start-'));
  const first = await measureStartup(args, await freePort(), single, cwd);
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await measureStartup(args, await freePort(), single, cwd));
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${label.padEnd(34)}${median(times).toFixed(0).padStart(6)} ms  (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}; first start ${first.toFixed(0)} ms)\n`,
  );
}
await rm(scratch, { recursive: true, force: true });
