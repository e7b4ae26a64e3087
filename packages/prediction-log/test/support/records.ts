import type { Logger } from '@glyco/logger';
import type { PredictionRecord } from '../../src/index.ts';

/** A plausible finished prediction; `glucose` lets drift tests shape the logged inputs. */
export function prediction(requestId: string, glucose = 120, modelVersion = '1.0.0'): PredictionRecord {
  const probability = Math.min(0.99, glucose / 250);
  return {
    requestId,
    time: new Date(),
    modelName: 'pima-diabetes',
    modelVersion,
    inputs: {
      pregnant: 2,
      glucose,
      pressure: 70,
      triceps: null,
      insulin: null,
      mass: 31.5,
      pedigree: 0.4,
      age: 35,
    },
    outputs: {
      prediction: probability >= 0.5 ? 1 : 0,
      label: probability >= 0.5 ? 'pos' : 'neg',
      probability,
      riskLevel: probability >= 0.6 ? 'high' : probability >= 0.3 ? 'medium' : 'low',
    },
    latencyMs: 0.25,
  };
}

export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

/** A finished multiclass prediction of the iris model: the most probable class wins. */
export function classPrediction(requestId: string, probabilities: readonly number[]): PredictionRecord {
  const prediction = probabilities.indexOf(Math.max(...probabilities));
  return {
    requestId,
    time: new Date(),
    modelName: 'iris',
    modelVersion: '1.0.0',
    inputs: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
    outputs: { prediction, label: IRIS_CLASSES[prediction]!, probabilities },
    latencyMs: 0.3,
  };
}
/** A finished regression prediction of the diabetes progression model. */
export function valuePrediction(requestId: string, value: number): PredictionRecord {
  return {
    requestId,
    time: new Date(),
    modelName: 'diabetes-progression',
    modelVersion: '1.0.0',
    inputs: { age: 50, sex: 1, bmi: 26.2, bp: 93, s1: 186, s2: 113, s3: 48, s4: 4, s5: 4.6, s6: 91 },
    outputs: { value },
    latencyMs: 0.2,
  };
}

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs` saying what it waited for. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Log output kept for assertions instead of printed. */
export function memoryLogger(): Logger & {
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  const logger = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
    flush() {},
  };
  return logger;
}
