import { expect, it } from 'vitest';
import { openPredictionLog } from '../src/index.ts';
import { MIGRATIONS, migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { createPredictionLogReader } from '../src/reader.ts';
import {
  batchJson,
  COPY_TARGET,
  copyText,
  INSERT_BATCH_SQL,
  type RowValues,
  rowJson,
  rowValues,
} from '../src/rows.ts';
import type { SqlClient } from '../src/sql-client.ts';
import { describeEachBackend } from './support/backends.ts';
import { classPrediction, memoryLogger, prediction, valuePrediction } from './support/records.ts';

const OUTPUT_COLUMNS = `request_id, row_index, prediction, label, probability, risk_level, probabilities, value,
  observed_outcome, observed_label, observed_value`;

/** The first schema, as the first release created it, with the version it recorded. */
async function firstSchema(client: SqlClient): Promise<void> {
  await client.exec(`
    CREATE TABLE prediction_log_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
    ${MIGRATIONS[0]!.sql}
    INSERT INTO prediction_log_migrations (version, name) VALUES (1, '${MIGRATIONS[0]!.name}');`);
}

/** A binary row as the first release wrote it: its twelve columns, an outcome reported for the first rows. */
const FIRST_RELEASE_ROWS = `
  INSERT INTO predictions (id, predicted_at, request_id, row_index, model_name, model_version, inputs,
    prediction, label, probability, risk_level, latency_ms, observed_outcome, observed_at)
  SELECT ('018f0000-0000-7000-8000-' || lpad(i::text, 12, '0'))::uuid, '2026-11-20T10:00:00Z',
    'old-' || i, 0, 'pima-diabetes', '1.0.0', jsonb_build_object('glucose', 100 + i), i % 2, 
    CASE WHEN i % 2 = 1 THEN 'pos' ELSE 'neg' END, i / 1000.0, 'low', 0.5,
    CASE WHEN i <= 10 THEN i % 2 END, CASE WHEN i <= 10 THEN now() END
  FROM generate_series(1, 500) AS i`;

describeEachBackend('the prediction log of every task on $name', (current) => {
  it("stores each task's answer in its own columns, the others null, by COPY and by INSERT", async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await migrate(client);
    const records = [
      prediction('binary', 200),
      classPrediction('multiclass', [0.1, 0.7, 0.2]),
      valuePrediction('regression', 151.25),
    ];
    await client.copyIn(COPY_TARGET, copyText(records.map((record) => rowValues(record, 0))));
    const replayed = records.map((record) => rowJson(rowValues(record, 1)));
    await client.query(INSERT_BATCH_SQL, [batchJson(replayed)]);
    const { rows } = await client.query(
      `SELECT ${OUTPUT_COLUMNS} FROM predictions ORDER BY request_id, row_index`,
    );
    await client.close();
    const none = { observed_outcome: null, observed_label: null, observed_value: null };
    const expected = {
      binary: {
        prediction: 1,
        label: 'pos',
        probability: 0.8,
        risk_level: 'high',
        probabilities: null,
        value: null,
      },
      multiclass: {
        prediction: 1,
        label: 'versicolor',
        probability: 0.7,
        risk_level: null,
        probabilities: [0.1, 0.7, 0.2],
        value: null,
      },
      regression: {
        prediction: null,
        label: null,
        probability: null,
        risk_level: null,
        probabilities: null,
        value: 151.25,
      },
    };
    expect(rows).toEqual(
      Object.entries(expected).flatMap(([requestId, columns]) =>
        [0, 1].map((index) => ({ request_id: requestId, row_index: index, ...columns, ...none })),
      ),
    );
  });

  it('replays a spool line written before the task columns existed: twelve values, a binary row', async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await migrate(client);
    const line = JSON.stringify([
      '018f0000-0000-7000-8000-000000000001',
      '2026-11-20T10:00:00.000Z',
      'spooled-before',
      0,
      'pima-diabetes',
      '1.0.0',
      { glucose: 150 },
      1,
      'pos',
      0.7,
      'high',
      0.4,
    ]);
    await client.query(INSERT_BATCH_SQL, [`[${line}]`]);
    const { rows } = await client.query(`SELECT ${OUTPUT_COLUMNS} FROM predictions`);
    await client.close();
    expect(rows).toEqual([
      expect.objectContaining({
        prediction: 1,
        label: 'pos',
        probability: 0.7,
        probabilities: null,
        value: null,
      }),
    ]);
  });

  // Its body opens the embedded database (1–2 s of WebAssembly start-up alone on a quiet machine, four times that
  // on this shared one under load), builds the first schema and migrates it: more than vitest's default 5 s.
  it('migrates a database holding rows of the first schema without losing or changing one', {
    timeout: 20_000,
  }, async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await firstSchema(client);
    await client.exec(FIRST_RELEASE_ROWS);
    const columns = `id, predicted_at, logged_at, request_id, row_index, model_name, model_version, inputs,
      prediction, label, probability, risk_level, latency_ms, observed_outcome, observed_at`;
    const before = await client.query(`SELECT ${columns} FROM predictions ORDER BY id`);
    expect(await migrate(client)).toEqual(MIGRATIONS.slice(1).map(({ version }) => version));
    const after = await client.query(`SELECT ${columns} FROM predictions ORDER BY id`);
    expect(after.rows).toHaveLength(500);
    expect(after.rows).toEqual(before.rows);
    const added = await client.query(
      `SELECT count(*)::int AS n FROM predictions
       WHERE probabilities IS NULL AND value IS NULL AND observed_label IS NULL AND observed_value IS NULL`,
    );
    expect(added.rows).toEqual([{ n: 500 }]);

    // The migrated table takes every task's rows, and outcomes of old and new rows alike.
    const rows = [classPrediction('new-class', [0.2, 0.3, 0.5]), valuePrediction('new-value', 99)];
    await client.copyIn(COPY_TARGET, copyText(rows.map((record) => rowValues(record, 0))));
    const reader = createPredictionLogReader(client);
    expect(await reader.recordOutcome('pima-diabetes', 'old-42', 0, { classIndex: 1, label: 'pos' })).toBe(
      true,
    );
    expect(await reader.recordOutcome('iris', 'new-class', 0, { classIndex: 0, label: 'setosa' })).toBe(true);
    expect(await reader.recordOutcome('diabetes-progression', 'new-value', 0, { value: 120.5 })).toBe(true);
    const outcomes = await client.query(
      `SELECT request_id, observed_outcome, observed_label, observed_value FROM predictions
       WHERE request_id IN ('old-42', 'old-3', 'new-class', 'new-value') ORDER BY request_id`,
    );
    await client.close();
    expect(outcomes.rows).toEqual([
      { request_id: 'new-class', observed_outcome: 0, observed_label: 'setosa', observed_value: null },
      { request_id: 'new-value', observed_outcome: null, observed_label: null, observed_value: 120.5 },
      { request_id: 'old-3', observed_outcome: 1, observed_label: null, observed_value: null },
      { request_id: 'old-42', observed_outcome: 1, observed_label: 'pos', observed_value: null },
    ]);
  });

  it("records an outcome only on the named model's rows that answered in the outcome's kind", async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    log.record([valuePrediction('shared-id', 80)]);
    log.record([classPrediction('class-only', [0.5, 0.3, 0.2])]);
    const reader = log.reader!;
    await log.flush();
    expect(await reader.recordOutcome('iris', 'shared-id', 0, { classIndex: 0, label: 'setosa' })).toBe(
      false,
    );
    expect(
      await reader.recordOutcome('diabetes-progression', 'shared-id', 0, { classIndex: 0, label: 'x' }),
    ).toBe(false);
    expect(await reader.recordOutcome('iris', 'class-only', 0, { value: 3 })).toBe(false);
    expect(await reader.recordOutcome('diabetes-progression', 'shared-id', 1, { value: 3 })).toBe(false);
    expect(await reader.recordOutcome('diabetes-progression', 'shared-id', 0, { value: 3 })).toBe(true);
    const labelled = await reader.labelledPredictions({
      modelName: 'diabetes-progression',
      modelVersion: '1.0.0',
      limit: 10,
    });
    expect(labelled).toEqual([
      { prediction: null, probability: null, outcome: null, value: 80, observedValue: 3 },
    ]);
    await log.close();
  });

  it('refuses a row that holds both a class and a value, or neither', async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await migrate(client);
    const withValue = (row: RowValues, value: number | null): RowValues =>
      [...row.slice(0, 13), value] as never;
    const both = withValue(rowValues(prediction('both'), 0), 5);
    const neither = withValue(rowValues(valuePrediction('neither', 1), 0), null);
    for (const row of [both, neither]) {
      await expect(client.query(INSERT_BATCH_SQL, [batchJson([rowJson(row)])])).rejects.toMatchObject({
        code: '23514',
      });
    }
    await client.close();
  });
});
