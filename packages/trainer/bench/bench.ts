/**
 * Training benchmark at survey scale: `glyco train --algorithm auto` (5-fold CV of the linear model and the
 * trees, their blend, the refit, ONNX export and manifest) and `--algorithm gbt` on 253,680 × 21 rows of
 * three-class survey-shaped data, against scikit-learn's HistGradientBoostingClassifier on the same files in the
 * same run. Prints figures and asserts nothing (timings belong to the machine they were measured on; see the load
 * average it prints).
 *
 *   node packages/trainer/bench/bench.ts [--rows 253680] [--test-rows 50000] [--keep]
 *
 * The scikit-learn side needs /usr/bin/python3 with scikit-learn (Debian: apt-get install python3-sklearn);
 * without it, that side is skipped and the report says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ModelManifest, parseManifest, primaryMetric } from '@glyco/contract';
import * as ort from 'onnxruntime-node';
import { csvFileRecords } from '../src/csv.ts';
import { multiclassMetrics } from '../src/metrics.ts';
import { readTable } from '../src/table.ts';
import { SURVEY_ROWS, SURVEY_TARGET, writeSurveyCsv } from './survey-data.ts';

const FOLDS = 5;
const SEED = 42;
const TRAIN_DATA_SEED = 2015;
const TEST_DATA_SEED = 2016;
const TARGETS = { seconds: 60, peakMb: 2048, aucGap: 0.005 };

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const PYTHON = '/usr/bin/python3';
const BASELINE = fileURLToPath(new URL('./sklearn_baseline.py', import.meta.url));

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: String(SURVEY_ROWS) },
    'test-rows': { type: 'string', default: '50000' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const testRows = Number(values['test-rows']);
const work = mkdtempSync(join(tmpdir(), 'glyco-train-bench-'));
const train = join(work, 'survey-train.csv');
const test = join(work, 'survey-test.csv');
const loadBefore = loadavg();

try {
  writeSurveyCsv(train, rows, TRAIN_DATA_SEED);
  writeSurveyCsv(test, testRows, TEST_DATA_SEED);
  const auto = await runGlyco('auto');
  const trees = await runGlyco('gbt');
  const sklearn = runSklearn();
  report(auto, trees, sklearn);
} finally {
  if (values.keep) process.stdout.write(`files kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}

type GlycoRun = {
  algorithm: string;
  seconds: number;
  peakMb: number;
  manifest: ModelManifest;
  heldOut: number;
  summary: string;
};

/**
 * The CLI as a user runs it, in its own process: wall time around it, peak memory from its own summary, and the
 * exported model's macro AUC on the held-out rows.
 */
async function runGlyco(algorithm: 'auto' | 'gbt'): Promise<GlycoRun> {
  const out = join(work, 'models');
  const args = [CLI, 'train', '--data', train, '--target', SURVEY_TARGET, '--name', 'survey', '--out', out];
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [...args, '--version', algorithm, '--algorithm', algorithm, '--folds', String(FOLDS)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`glyco train failed:\n${result.stderr}`);
  const peak = /^peak memory\s+(\d+) MB$/m.exec(result.stdout);
  const directory = join(out, 'survey', algorithm);
  const manifest = parseManifest(JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')));
  const heldOut = await heldOutMacroAuc(manifest, readFileSync(join(directory, 'model.onnx')), test);
  return { algorithm, seconds, peakMb: Number(peak?.[1]), manifest, heldOut, summary: result.stdout };
}

/** The exported model on the held-out file through onnxruntime-node, as a server would run it. */
async function heldOutMacroAuc(manifest: ModelManifest, model: Uint8Array, path: string): Promise<number> {
  if (manifest.task !== 'multiclass') throw new Error(`expected a multiclass model, got ${manifest.task}`);
  const table = readTable(csvFileRecords(path));
  const column = (name: string) => table.columns[table.header.indexOf(name)]!;
  const features = manifest.features.map((feature) => column(feature.name).numbers);
  const input = new Float32Array(table.rows * features.length);
  for (let row = 0; row < table.rows; row++) {
    features.forEach((values, j) => {
      input[row * features.length + j] = values[row]!;
    });
  }
  const session = await ort.InferenceSession.create(model);
  const output = await session.run({
    features: new ort.Tensor('float32', input, [table.rows, features.length]),
  });
  const target = column(manifest.target.name);
  const labels = Float64Array.from(target.texts!.codes, (code) =>
    manifest.target.classLabels.indexOf(target.texts!.values[code]!),
  );
  return multiclassMetrics(labels, output.probabilities!.data as Float32Array, manifest.target.classLabels)
    .rocAuc;
}

type SklearnScores = { seconds: number; cvMacroAuc: number; testMacroAuc: number };
type SklearnRun = { sklearn: string; hgb: SklearnScores; logreg: SklearnScores; peakRssMb: number };

function runSklearn(): SklearnRun | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return 'scikit-learn is not installed for /usr/bin/python3 (apt-get install python3-sklearn)';
  const result = spawnSync(PYTHON, [BASELINE, train, test, SURVEY_TARGET, String(FOLDS), String(SEED)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) return `the scikit-learn run failed: ${result.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(result.stdout) as SklearnRun;
}

function report(auto: GlycoRun, trees: GlycoRun, sklearn: SklearnRun | string): void {
  const manifest = auto.manifest;
  if (manifest.task !== 'multiclass') return;
  const shares = manifest.trainingData.classCounts
    .map((count) => `${((count / rows) * 100).toFixed(1)}%`)
    .join(' / ');
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const glycoRow = (run: GlycoRun) =>
    row(
      `glyco train --algorithm ${run.algorithm}${run.algorithm === 'auto' ? ` → ${run.manifest.algorithm.name}` : ''}`,
      `${run.seconds.toFixed(1)} s`,
      `${run.peakMb} MB`,
      primaryMetric(run.manifest).crossValidated.mean.toFixed(4),
      run.heldOut.toFixed(4),
    );
  const lines = [
    'Training benchmark: survey-shaped data (a seeded stand-in for the CDC BRFSS 2015 diabetes indicators, not the survey)',
    `machine: ${availableParallelism()} cores; load average before ${load(loadBefore)}, after ${load(loadavg())}; Node ${process.version}` +
      (typeof sklearn === 'string' ? '' : `; scikit-learn ${sklearn.sklearn}`),
    `data: ${rows.toLocaleString('en')} training rows × ${manifest.features.length} features (classes ${shares}); ` +
      `${testRows.toLocaleString('en')} held-out rows; every line: ${FOLDS}-fold CV, then a fit on every row`,
    '',
    row('', 'wall time', 'peak RSS', 'CV macro AUC', 'held-out macro AUC'),
    glycoRow(auto),
    glycoRow(trees),
  ];
  if (typeof sklearn === 'string') {
    lines.push(`scikit-learn side skipped: ${sklearn}`);
  } else {
    const ratio = (run: GlycoRun) => (run.seconds / sklearn.hgb.seconds).toFixed(2);
    lines.push(
      row(
        'scikit-learn HistGradientBoosting',
        `${sklearn.hgb.seconds.toFixed(1)} s`,
        `${sklearn.peakRssMb} MB¹`,
        sklearn.hgb.cvMacroAuc.toFixed(4),
        sklearn.hgb.testMacroAuc.toFixed(4),
      ),
      row(
        'scikit-learn LogisticRegression',
        `${sklearn.logreg.seconds.toFixed(1)} s`,
        '',
        sklearn.logreg.cvMacroAuc.toFixed(4),
        sklearn.logreg.testMacroAuc.toFixed(4),
      ),
      '',
      `time against scikit-learn HistGradientBoosting: glyco gbt ${ratio(trees)}×; glyco auto ${ratio(auto)}× ` +
        '(two algorithms, their blend, refits, ONNX export and manifest)',
      `held-out macro AUC against HistGradientBoosting: glyco auto ${signed(auto.heldOut - sklearn.hgb.testMacroAuc)}, ` +
        `glyco gbt ${signed(trees.heldOut - sklearn.hgb.testMacroAuc)}`,
      '¹ the Python process, both scikit-learn models',
    );
  }
  const gap = typeof sklearn === 'string' ? undefined : auto.heldOut - sklearn.hgb.testMacroAuc;
  lines.push(
    '',
    `targets for glyco auto: ≤ ${TARGETS.seconds} s ${verdict(auto.seconds <= TARGETS.seconds)}; ≤ ${TARGETS.peakMb} MB peak ${verdict(auto.peakMb <= TARGETS.peakMb)}; ` +
      `held-out macro AUC within ${TARGETS.aucGap} of HistGradientBoosting or better ${gap === undefined ? 'not measured' : verdict(gap >= -TARGETS.aucGap)}`,
    '',
    'glyco train --algorithm auto summary:',
    auto.summary.trimEnd(),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

function row(...cells: string[]): string {
  const [name, ...figures] = cells;
  return `${name!.padEnd(44)}${figures.map((cell) => cell.padStart(12)).join('  ')}`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(4)}`;
}

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}
