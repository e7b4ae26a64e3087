import { fileURLToPath } from 'node:url';
import { manifestIn } from './fixtures.ts';

const bundled = (model: string) => fileURLToPath(new URL(`../../../../models/${model}`, import.meta.url));

/**
 * A served model per task beside the default binary one, each with a valid row: the bundled iris (multiclass)
 * and diabetes progression (regression) models, and a multiclass model on categorical features whose names hold
 * a space and a hyphen (trained on seeded synthetic data: see test/fixtures/readmissions/generate.ts).
 */
export const IRIS_DIR = bundled('iris/1.0.0');
export const IRIS = manifestIn(IRIS_DIR, 'multiclass');
/** A virginica, clearly: long, wide petals. */
export const IRIS_ROW = { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.8, petal_width: 2.2 };

export const PROGRESSION_DIR = bundled('diabetes-progression/1.0.0');
export const PROGRESSION = manifestIn(PROGRESSION_DIR, 'regression');
export const PROGRESSION_ROW = {
  age: 59,
  sex: 2,
  bmi: 32.1,
  bp: 101,
  s1: 157,
  s2: 93.2,
  s3: 38,
  s4: 4,
  s5: 4.8598,
  s6: 87,
};

export const READMISSIONS_DIR = fileURLToPath(
  new URL('../fixtures/models/readmissions/1.0.0', import.meta.url),
);
export const READMISSIONS = manifestIn(READMISSIONS_DIR, 'multiclass');
export const READMISSIONS_ROW = {
  age: 71,
  'admission type': 'Emergency',
  race: 'African American',
  'HbA1c-level': 8.4,
  'prior visits': 3,
};
