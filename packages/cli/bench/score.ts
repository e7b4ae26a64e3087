/**
 * `glyco score` throughput: rows per second, CPU and peak RSS of the command scoring a large CSV with the bundled
 * binary model, beside what merely reading the same file costs in this process (decoding it, then parsing it as
 * CSV), measured in the same run so the ratios hold whatever the machine's load. Usage:
 *   node packages/cli/bench/score.ts [rows, default 2000000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsvParser } from '@glyco/contract';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const MODEL = join(ROOT, 'models/pima-diabetes');
const SOURCE = join(ROOT, 'data/pima-indians-diabetes.csv');
const REPORT_USAGE = fileURLToPath(new URL('./report-usage.ts', import.meta.url));
const rows = Number(process.argv[2] ?? 2_000_000);

/** The Pima rows, over and over: `rows` valid rows with the outcome column a scoring file would carry. */
async function writeData(path: string): Promise<void> {
  const [header, ...lines] = (await readFile(SOURCE, 'utf8')).trimEnd().split('\n');
  const file = createWriteStream(path);
  file.write(`${header}\n`);
  for (let written = 0; written < rows; written += lines.length) {
    const chunk = lines.slice(0, Math.min(lines.length, rows - written)).join('\n');
    if (!file.write(`${chunk}\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
}

interface Figures {
  /** The command's own summary line, for the end-to-end run. */
  summary?: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Runs `body` in this process: wall time and CPU. */
async function inProcess(body: () => Promise<void>): Promise<Figures> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await body();
  const used = process.cpuUsage(cpu);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    // This process's peak belongs to no one phase.
    peakRssMb: Number.NaN,
  };
}

async function readOnly(path: string): Promise<void> {
  for await (const _chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }));
}

async function readAndParse(path: string): Promise<void> {
  const parser = new CsvParser();
  let records = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    for (const _record of parser.push(chunk)) records++;
  }
  for (const _record of parser.end()) records++;
  if (records !== rows + 1) throw new Error(`parsed ${records} records, expected ${rows + 1}`);
}

/** `glyco score` as a user runs it, in its own process, which reports its CPU and peak RSS at exit. */
async function glycoScore(data: string, out: string, usagePath: string): Promise<Figures> {
  const started = performance.now();
  const args = ['--import', REPORT_USAGE, MAIN, 'score', '--model', MODEL, '--data', data, '--out', out];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GLYCO_BENCH_USAGE: usagePath },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`glyco score exited ${code}: ${stderr}`);
  const usage = JSON.parse(await readFile(usagePath, 'utf8')) as NodeJS.ResourceUsage;
  return {
    summary: /glyco: scored .*/.exec(stderr)?.[0],
    seconds,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    peakRssMb: usage.maxRSS / 1024,
  };
}

const number = (n: number, digits = 0) =>
  Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const work = await mkdtemp(join(tmpdir(), 'glyco-score-bench-'));
try {
  const data = join(work, 'data.csv');
  await writeData(data);
  const megabytes = (await stat(data)).size / 1e6;
  const loadBefore = loadavg()[0]!;
  const results: [string, Figures][] = [
    ['read the file (decode UTF-8)', await inProcess(() => readOnly(data))],
    ['read + CSV parse', await inProcess(() => readAndParse(data))],
    ['glyco score (end to end)', await glycoScore(data, join(work, 'scored.csv'), join(work, 'usage.json'))],
  ];
  const loadAfter = loadavg()[0]!;
  const baseline = results[1]![1].seconds;
  console.log(
    `glyco score: ${number(rows)} rows (${number(megabytes, 1)} MB) with the bundled binary model; load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} on ${navigator.hardwareConcurrency} cores`,
  );
  console.log(
    'phase                              wall s     rows/s   CPU s  CPU µs/row  peak RSS MB  × parse',
  );
  for (const [name, f] of results) {
    console.log(
      [
        name.padEnd(32),
        number(f.seconds, 2).padStart(8),
        number(rows / f.seconds).padStart(10),
        number(f.cpuSeconds, 2).padStart(7),
        number((f.cpuSeconds / rows) * 1e6, 2).padStart(11),
        number(f.peakRssMb).padStart(12),
        number(f.seconds / baseline, 2).padStart(8),
      ].join(' '),
    );
  }
  // End to end counts the start (Node, onnxruntime, the model's verification); the command's rate counts rows.
  console.log(results[2]![1].summary);
} finally {
  await rm(work, { recursive: true, force: true });
}
