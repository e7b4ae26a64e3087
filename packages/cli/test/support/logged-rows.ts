import { openPredictionLog, type PredictionLogOptions } from '@glyco/prediction-log';

/**
 * Logs the rows as predictions of pima-diabetes 1.1.0 (request ids `<prefix>-<i>`), a second apart up to now, in
 * the log `options` open; then, when `outcomeOf` is given, each row's observed outcome (0 neg, 1 pos), as
 * feedback would record it.
 */
export async function logPimaPredictions(
  options: PredictionLogOptions,
  rows: readonly Record<string, number>[],
  outcomeOf?: (row: Record<string, number>) => 0 | 1,
  prefix = 'logged',
): Promise<void> {
  const log = await openPredictionLog(options);
  const now = Date.now();
  for (const [i, inputs] of rows.entries()) {
    log.record([
      {
        requestId: `${prefix}-${i}`,
        time: new Date(now - (rows.length - i) * 1000),
        modelName: 'pima-diabetes',
        modelVersion: '1.1.0',
        inputs,
        outputs: { prediction: 0, label: 'neg', probability: 0.3, riskLevel: 'low' },
        latencyMs: 0.2,
      },
    ]);
  }
  await log.flush();
  if (outcomeOf) {
    for (const [i, row] of rows.entries()) {
      const classIndex = outcomeOf(row);
      await log.reader!.recordOutcome('pima-diabetes', `${prefix}-${i}`, 0, {
        classIndex,
        label: ['neg', 'pos'][classIndex]!,
      });
    }
  }
  await log.close();
}
