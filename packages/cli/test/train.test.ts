import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const PIMA = join(ROOT, 'data/pima-indians-diabetes.csv');
const IRIS = join(ROOT, 'data/iris.csv');
const PROGRESSION = join(ROOT, 'data/diabetes-progression.csv');
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

const valid = ['--target', 'diabetes', '--name', 'pima-diabetes', '--out', join(work, 'models')];

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
      ['--data', PIMA, ...valid, '--positive', 'yes'],
      /^glyco: train: .*: positive label "yes" does not occur in column "diabetes" \(values: "neg", "pos"\)$/,
    ],
    [
      'two labels and no --positive',
      ['--data', csvFile('colours.csv', 'glucose,age,diabetes\n148,50,red\n85,31,blue\n'), ...valid],
      /^glyco: train: .*colours\.csv: column "diabetes" holds two classes \("blue", "red"\); say which one the model gives the probability of with --positive$/,
    ],
    [
      'an unknown task',
      ['--data', PIMA, ...valid, '--task', 'ranking'],
      /^glyco: train: --task must be binary, multiclass, regression; got "ranking"$/,
    ],
    [
      '--positive for a multiclass model',
      [
        '--data',
        IRIS,
        '--target',
        'species',
        '--name',
        'iris',
        '--task',
        'multiclass',
        '--positive',
        'setosa',
      ],
      /^glyco: train: --positive applies to binary models, not multiclass ones$/,
    ],
    [
      '--positive for a target that turns out multiclass',
      ['--data', IRIS, '--target', 'species', '--name', 'iris', '--positive', 'setosa', '--out', work],
      /^glyco: train: .*iris\.csv: --positive applies to binary models; "species" is a multiclass target$/,
    ],
    [
      'a regression target with text',
      ['--data', PIMA, ...valid, '--task', 'regression'],
      /^glyco: train: .*: line 2: the target "diabetes" is "pos", not a number; a regression target must be numeric$/,
    ],
    [
      'an algorithm of another task',
      [
        '--data',
        PROGRESSION,
        '--target',
        'progression',
        '--name',
        'p',
        '--algorithm',
        'logreg',
        '--out',
        work,
      ],
      /^glyco: train: --algorithm logreg does not train regression models; use ridge, gbt, blend, auto$/,
    ],
    [
      'an unknown class weighting',
      ['--data', PIMA, ...valid, '--class-weight', 'heavy'],
      /^glyco: train: --class-weight must be none, balanced; got "heavy"$/,
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
      /^glyco: train: .*one-class\.csv: column "diabetes" holds only one class \("pos"\); a model needs two or more$/,
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
      /^glyco: train: --algorithm must be auto, logreg, ridge, gbt, blend; got "svm"$/,
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
      /^glyco: train: class "pos" has 1 rows, too few for 5-fold cross-validation \(each fold needs one of each class\)$/,
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
  it('explains every option with --help, the task and its inference first among them', () => {
    const { status, stdout, stderr } = glycoTrain(['--help']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(
      /^usage: glyco train --data <csv> --target <column> --name <model-name> \[options\]$/m,
    );
    expect(stdout).toMatch(
      /^ {2}--task <task> {9}binary, multiclass or regression \(default: inferred from the target column/m,
    );
    expect(stdout).toMatch(/^ {2}--positive <label> {4}binary only: .*\(default: inferred when the$/m);
    expect(stdout).toMatch(/^ {2}--algorithm <a> {7}auto \(default: /m);
    expect(stdout).toMatch(
      /^ {2}--class-weight <w> {4}none \(default: calibrated probabilities\) or balanced/m,
    );
  });

  it('writes the model, reports progress per fold and prints a summary table', { timeout: 60_000 }, () => {
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
    expect(stdout).toMatch(/^task {2,}binary \(inferred from "diabetes"\)$/m);
    expect(stdout).toMatch(/^data {2,}768 rows, 268 pos \(positive\)$/m);
    expect(stdout).toMatch(/^CV ROC AUC {2,}0\.8\d\d ± 0\.0\d\d \(5 folds, seed 42\)$/m);
    expect(stdout).toMatch(/^peak memory {2,}\d+ MB$/m);
    for (const file of ['model.onnx', 'manifest.json', 'card.md', 'roc.svg', 'confusion-matrix.svg']) {
      expect(existsSync(join(out, 'pima-diabetes', '1.0.0', file))).toBe(true);
    }
  });

  it("trains a multiclass model from a target of three labels, with the task's metrics", {
    timeout: 60_000,
  }, () => {
    const out = join(work, 'iris');
    const { status, stdout } = glycoTrain([
      '--data',
      IRIS,
      '--target',
      'species',
      '--name',
      'iris',
      '--out',
      out,
    ]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^task {2,}multiclass \(inferred from "species"\)$/m);
    expect(stdout).toMatch(/^data {2,}150 rows: 50 setosa, 50 versicolor, 50 virginica$/m);
    expect(stdout).toMatch(
      /^algorithm {2,}\w+ \(auto, CV macro ROC AUC: logreg 0\.\d{3}, gbt 0\.\d{3}, blend 0\.\d{3}\)$/m,
    );
    expect(stdout).toMatch(/^CV macro ROC AUC {2,}0\.99\d ± 0\.0\d\d \(5 folds, seed 42\)$/m);
    expect(stdout).toMatch(/^CV macro F1 {2,}0\.9\d\d/m);
    expect(stdout).toMatch(/^CV log loss {2,}0\.\d{3}/m);
  });

  it("trains a regression model from a numeric target, with the task's metrics", { timeout: 60_000 }, () => {
    const out = join(work, 'progression');
    const { status, stdout } = glycoTrain([
      '--data',
      PROGRESSION,
      '--target',
      'progression',
      '--name',
      'diabetes-progression',
      '--algorithm',
      'ridge',
      '--out',
      out,
    ]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^task {2,}regression \(inferred from "progression"\)$/m);
    expect(stdout).toMatch(/^CV RMSE {2,}5\d\.\d{3} ± \d\.\d{3} \(5 folds, seed 42\)$/m);
    expect(stdout).toMatch(/^CV R² {2,}0\.4\d\d/m);
    for (const file of ['predicted-vs-actual.svg', 'residuals.svg']) {
      expect(existsSync(join(out, 'diabetes-progression', '1.0.0', file))).toBe(true);
    }
  });
});
