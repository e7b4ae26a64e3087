import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const PIMA = join(ROOT, 'data/pima-indians-diabetes.csv');
const work = mkdtempSync(join(tmpdir(), 'glyco-cli-train-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function glycoTrain(args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, 'train', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function csvFile(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const valid = [
  '--target',
  'diabetes',
  '--positive',
  'pos',
  '--name',
  'pima-diabetes',
  '--out',
  join(work, 'models'),
];

describe('glyco train with bad input: one line of error, non-zero exit, no stack trace', () => {
  it.each([
    [
      'a missing file',
      ['--data', join(work, 'nope.csv'), ...valid],
      /^glyco: train: data file .*nope\.csv does not exist$/,
    ],
    [
      'an unknown target column',
      ['--data', PIMA, ...valid.map((a) => (a === 'diabetes' ? 'outcome' : a))],
      /^glyco: train: .*pima-indians-diabetes\.csv: target column "outcome" not found; columns: pregnant, glucose, .*diabetes$/,
    ],
    [
      'a label that is not in the column',
      ['--data', PIMA, ...valid.map((a) => (a === 'pos' ? 'yes' : a))],
      /^glyco: train: .*: positive label "yes" does not occur in column "diabetes" \(values: "neg", "pos"\)$/,
    ],
    [
      'a non-numeric cell',
      ['--data', csvFile('text.csv', 'glucose,age,diabetes\n148,50,pos\n85,thirty,neg\n'), ...valid],
      /^glyco: train: .*text\.csv: line 3, column "age": "thirty" is not a number$/,
    ],
    [
      'an empty file',
      ['--data', csvFile('empty.csv', ''), ...valid],
      /^glyco: train: .*empty\.csv: the data file is empty$/,
    ],
    [
      'a single-class file',
      ['--data', csvFile('one-class.csv', 'glucose,age,diabetes\n148,50,pos\n85,31,pos\n'), ...valid],
      /^glyco: train: .*one-class\.csv: column "diabetes" holds only one class \("pos"\); a binary model needs two$/,
    ],
    [
      'a missing required option',
      ['--data', PIMA],
      /^glyco: train: --target is required; see glyco train --help$/,
    ],
    [
      'a bad fold count',
      ['--data', PIMA, ...valid, '--folds', 'five'],
      /^glyco: train: --folds must be an integer from 2; got "five"$/,
    ],
    [
      'an unknown algorithm',
      ['--data', PIMA, ...valid, '--algorithm', 'svm'],
      /--algorithm must be logreg, gbt, auto; got "svm"$/,
    ],
    ['an unknown option', ['--data', PIMA, ...valid, '--epochs', '3'], /^glyco: Unknown option '--epochs'/],
    [
      'a model name with capitals',
      ['--data', PIMA, ...valid.map((a) => (a === 'pima-diabetes' ? 'Pima' : a))],
      /--name "Pima" must be lowercase/,
    ],
    [
      'too many folds for the smaller class',
      ['--data', csvFile('tiny.csv', 'glucose,age,diabetes\n148,50,pos\n85,31,neg\n90,33,neg\n'), ...valid],
      /the smaller class has 1 rows, too few for 5-fold cross-validation/,
    ],
    [
      'an output directory that cannot be written',
      ['--data', PIMA, ...valid.map((a) => (a === join(work, 'models') ? '/dev/null/models' : a))],
      /^glyco: train: --out \/dev\/null\/models cannot be written: ENOTDIR$/,
    ],
  ])('%s', (_, args, message) => {
    const { status, stdout, stderr } = glycoTrain(args);
    expect(status).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });
});

describe('glyco train', () => {
  it('writes the model, reports progress per fold and prints a summary table', () => {
    const out = join(work, 'ok');
    const { status, stdout, stderr } = glycoTrain([
      '--data',
      PIMA,
      ...valid.slice(0, -1),
      out,
      '--algorithm',
      'logreg',
    ]);
    expect(stderr).toContain('logreg: cross-validation fold 5/5');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^model {2,}pima-diabetes 1\.0\.0$/m);
    expect(stdout).toMatch(/^CV ROC AUC {2,}0\.8\d\d ± 0\.0\d\d \(5 folds, seed 42\)$/m);
    for (const file of ['model.onnx', 'manifest.json', 'card.md', 'roc.svg', 'confusion-matrix.svg']) {
      expect(existsSync(join(out, 'pima-diabetes', '1.0.0', file))).toBe(true);
    }
  });
});
