/**
 * `pnpm bench`: one run on loopback, server and load generator (autocannon, 32 connections) in separate
 * processes. Measures the same-run ceiling (a bare Hono hello-world route in the server process), `/predict`
 * with one row and with 1000 rows, interleaved over several rounds so background load hits all of them alike,
 * and the time from process start to the first successful `/predict` for the bundle, the source entry and the
 * CLI. Prints figures; asserts nothing. `BENCH_SECONDS` (5) and `BENCH_ROUNDS` (3) set the length.
 */
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type ModelManifest, parseManifest } from '@glyco/contract';
import autocannon from 'autocannon';
import { resolveModelDirectory } from '../src/model/model-uri.ts';
import { exampleRow } from '../src/validation/example-row.ts';
import { measureStartup } from './startup.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTS = 5;
const CONNECTIONS = 32;
const BATCH_ROWS = 1000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Varied valid rows: each feature drawn from its training quantiles. */
function sampleRows(manifest: ModelManifest, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const row: Record<string, number | null | undefined> = { ...exampleRow(manifest) };
    manifest.features.forEach((feature, f) => {
      const quantiles = manifest.reference.find((reference) => reference.feature === feature.name)?.quantiles;
      const value = quantiles?.[(i * 7 + f * 13) % 101];
      if (value === undefined) return;
      const clamped = Math.min(feature.max, Math.max(feature.min, value));
      row[feature.name] = feature.dtype === 'integer' ? Math.round(clamped) : clamped;
    });
    return row;
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
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

/** CPU time a process has used, in ms (Linux /proc; NaN elsewhere). */
function cpuMillis(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function load(
  name: string,
  url: string,
  rowsPerRequest: number,
  body: string | undefined,
  seconds: number,
) {
  const latencies: number[] = [];
  const cpuBefore = cpuMillis(server.pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body } : {}),
    setupClient: (client: EventEmitter) =>
      client.on('response', (_status: number, _bytes: number, ms: number) => latencies.push(ms)),
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const cpuMicros = ((cpuMillis(server.pid) - cpuBefore) * 1000) / latencies.length;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    rps: latencies.length / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rowsPerRequest,
    cpuMicros,
  };
}

async function batchStats(base: string): Promise<{ runs: number; requests: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    runs: value('glyco_inference_batch_requests_count'),
    requests: value('glyco_inference_batch_requests_sum'),
  };
}

async function waitUntilUp(base: string): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    if (
      await fetch(`${base}/health`).then(
        (res) => res.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the bench server did not come up within 15 s');
}

const manifest = parseManifest(
  JSON.parse(await readFile(join(await resolveModelDirectory(process.env.MODEL_URI), MANIFEST_FILE), 'utf8')),
);
const single = JSON.stringify(sampleRows(manifest, 1)[0]);
const batch = JSON.stringify({ instances: sampleRows(manifest, BATCH_ROWS) });

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [join(packageDir, 'bench/server.ts')], {
  // Access logs stay on (info), written to /dev/null: their cost is part of the figures.
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const scenarios = [
  { name: 'ceiling: GET /hello (bare Hono)', url: `${base}/hello`, rows: 0, body: undefined },
  { name: 'POST /predict, 1 row', url: `${base}/predict`, rows: 1, body: single },
  { name: `POST /predict, ${BATCH_ROWS} rows`, url: `${base}/predict`, rows: BATCH_ROWS, body: batch },
];
/** Per scenario, one Figures per round; rounds interleave the scenarios so background load hits them alike. */
const rounds: Figures[][] = scenarios.map(() => []);
const ratios: number[] = [];
const coalesced: number[] = [];
try {
  await waitUntilUp(base);
  process.stdout.write(
    `${ROUNDS} rounds × ${scenarios.length} scenarios × ${SECONDS} s, ${CONNECTIONS} connections, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}\n`,
  );
  for (const scenario of scenarios)
    await load('warm-up', scenario.url, scenario.rows, scenario.body, Math.min(2, SECONDS));
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Figures[] = [];
    for (const [i, scenario] of scenarios.entries()) {
      const before = await batchStats(base);
      const result = await load(scenario.name, scenario.url, scenario.rows, scenario.body, SECONDS);
      const after = await batchStats(base);
      if (scenario.rows === 1)
        coalesced.push((after.requests - before.requests) / (after.runs - before.runs));
      rounds[i]!.push(result);
      figures.push(result);
    }
    ratios.push(figures[1]!.rps / figures[0]!.rps);
    process.stdout.write(
      `round ${round + 1}: ${figures.map((f) => `${f.rps.toFixed(0)} req/s`).join(', ')}\n`,
    );
  }
} finally {
  server.kill('SIGTERM');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const pad = (text: string, width: number) => text.padStart(width);
process.stdout.write(`\nmedians over ${ROUNDS} rounds\n`);
process.stdout.write(
  `${'scenario'.padEnd(34)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('rows/s', 10)}${pad('server CPU/req', 16)}\n`,
);
rounds.forEach((figures, i) => {
  const { name, rows } = scenarios[i]!;
  const rps = median(figures.map((f) => f.rps));
  const at = (pick: (f: Figures) => number, digits: number) => median(figures.map(pick)).toFixed(digits);
  process.stdout.write(
    `${name.padEnd(34)}${pad(rps.toFixed(0), 9)}${pad(
      at((f) => f.p50, 2),
      9,
    )}${pad(
      at((f) => f.p99, 2),
      9,
    )}` + `${pad(rows ? (rps * rows).toFixed(0) : '-', 10)}${pad(`${at((f) => f.cpuMicros, 1)} µs`, 16)}\n`,
  );
});
process.stdout.write(
  `single-row /predict ÷ ceiling: ${(median(ratios) * 100).toFixed(0)}% (per round: ${ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')})\n`,
);
process.stdout.write(
  `single-row /predict: ${median(coalesced).toFixed(1)} requests per model run (micro-batching)\n`,
);

const entries: [string, string[]][] = [
  ['bundle: node dist/server.mjs', [join(packageDir, 'dist/server.mjs')]],
  ['source: node src/server-main.ts', [join(packageDir, 'src/server-main.ts')]],
  ['pnpm start: glyco serve (source)', [join(packageDir, '../cli/src/main.ts'), 'serve']],
];
process.stdout.write(`\nprocess start → first successful POST /predict (median of ${STARTS})\n`);
for (const [label, args] of entries) {
  if (!existsSync(args[0]!)) {
    process.stdout.write(`${label.padEnd(34)} skipped: run the build first\n`);
    continue;
  }
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await measureStartup(args, await freePort(), single));
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${label.padEnd(34)}${pad(median(times).toFixed(0), 6)} ms  (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)})\n`,
  );
}
