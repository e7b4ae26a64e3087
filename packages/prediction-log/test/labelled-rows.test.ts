import { expect, it } from 'vitest';
import { allLabelledRows, type LabelledRow, openPredictionLog } from '../src/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { memoryLogger, prediction, valuePrediction } from './support/records.ts';

describeEachBackend('labelled rows on $name', (current) => {
  it("reads every version's rows with an outcome, oldest first, page by page, and no other model's", async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    const start = Date.parse('2026-12-01T00:00:00Z');
    // Rows in pairs within one millisecond, so that pages must order and cut by id as well as by time.
    const records = Array.from({ length: 12 }, (_, i) => ({
      ...prediction(`req-${i}`, 80 + i, i < 6 ? '1.0.0' : '1.1.0'),
      time: new Date(start + Math.floor(i / 2)),
    }));
    const other = { ...prediction('req-other', 100), modelName: 'other-model' };
    for (const record of [...records, other]) log.record([record]);
    await log.flush();
    const reader = log.reader!;
    for (const [i, requestId] of [
      'req-0',
      'req-3',
      'req-4',
      'req-5',
      'req-7',
      'req-10',
      'req-11',
    ].entries()) {
      const classIndex = i % 2 === 0 ? 0 : 1;
      const label = classIndex === 1 ? 'pos' : 'neg';
      expect(await reader.recordOutcome('pima-diabetes', requestId, 0, { classIndex, label })).toBe(true);
    }
    await reader.recordOutcome('other-model', 'req-other', 0, { classIndex: 1, label: 'pos' });

    const pages: LabelledRow[][] = [];
    for await (const page of allLabelledRows(reader.labelledRows, { modelName: 'pima-diabetes' }, 2)) {
      pages.push(page);
    }
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1]);
    const rows = pages.flat();
    expect(rows.map((row) => row.inputs.glucose)).toEqual([80, 83, 84, 85, 87, 90, 91]);
    expect(rows.map((row) => row.outcome)).toEqual(
      [0, 1, 0, 1, 0, 1, 0].map((classIndex) => ({ classIndex, label: classIndex === 1 ? 'pos' : 'neg' })),
    );
    expect(rows.map((row) => row.modelVersion)).toEqual([
      '1.0.0',
      '1.0.0',
      '1.0.0',
      '1.0.0',
      '1.1.0',
      '1.1.0',
      '1.1.0',
    ]);
    expect(rows[0]!.predictedAt).toEqual(new Date(start));
    expect(rows[0]!.inputs).toEqual(records[0]!.inputs);
    expect(new Set(rows.map((row) => row.id)).size).toBe(7);

    const window = await reader.labelledRows({
      modelName: 'pima-diabetes',
      since: new Date(start + 2),
      until: new Date(start + 5),
      limit: 100,
    });
    expect(window.map((row) => row.inputs.glucose)).toEqual([84, 85, 87]);
    await log.close();
  });

  it("reads a regression model's observed values, and leaves out its rows with no outcome", async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    log.record([valuePrediction('req-a', 140)]);
    log.record([valuePrediction('req-b', 150)]);
    await log.flush();
    expect(await log.reader!.recordOutcome('diabetes-progression', 'req-b', 0, { value: 171.5 })).toBe(true);

    const rows = await log.reader!.labelledRows({ modelName: 'diabetes-progression', limit: 10 });
    expect(rows.map((row) => row.outcome)).toEqual([{ value: 171.5 }]);
    expect(rows[0]!.inputs.bmi).toBe(26.2);
    await log.close();
  });
});
