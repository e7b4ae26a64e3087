import type { SqlQueryable } from './sql-client.ts';

/** A logged prediction row whose outcome was reported: the training and evaluation data of a retrain. */
export interface LabelledRow {
  /** The row's own id (a UUIDv7). */
  id: string;
  predictedAt: Date;
  /** The version that made the prediction. */
  modelVersion: string;
  /** The validated input row as logged: feature name → value, null for missing. */
  inputs: Record<string, unknown>;
  /** What was observed, as reported to the log (`observed_*` columns of migration 2). */
  outcome: LabelledOutcome;
}

/**
 * A classifier's observed class (its index in the model's class labels, and the label as reported: null on rows
 * reported before the log kept labels) or a regression model's observed value.
 */
export type LabelledOutcome = { classIndex: number; label: string | null } | { value: number };

/** A model's labelled rows (every version's), in the order they were predicted, a page at a time. */
export interface LabelledRowsQuery {
  modelName: string;
  since?: Date | undefined;
  until?: Date | undefined;
  /** The last row of the previous page: this page starts after it. */
  after?: Pick<LabelledRow, 'predictedAt' | 'id'> | undefined;
  limit: number;
}

/** One page of labelled rows, oldest first; (predicted_at, id) orders rows predicted in the same millisecond. */
export async function readLabelledRows(db: SqlQueryable, query: LabelledRowsQuery): Promise<LabelledRow[]> {
  const { rows } = await db.query<{
    id: string;
    predicted_at: Date | string;
    model_version: string;
    inputs: Record<string, unknown>;
    observed_outcome: number | null;
    observed_label: string | null;
    observed_value: number | null;
  }>(
    `SELECT id, predicted_at, model_version, inputs, observed_outcome, observed_label, observed_value
     FROM predictions
     WHERE model_name = $1 AND (observed_outcome IS NOT NULL OR observed_value IS NOT NULL)
       AND ($2::timestamptz IS NULL OR predicted_at >= $2::timestamptz)
       AND ($3::timestamptz IS NULL OR predicted_at < $3::timestamptz)
       AND ($4::timestamptz IS NULL OR (predicted_at, id) > ($4::timestamptz, $5::uuid))
     ORDER BY predicted_at, id LIMIT $6`,
    [
      query.modelName,
      query.since?.toISOString() ?? null,
      query.until?.toISOString() ?? null,
      query.after?.predictedAt.toISOString() ?? null,
      query.after?.id ?? null,
      query.limit,
    ],
  );
  return rows.map((row) => ({
    id: row.id,
    predictedAt: new Date(row.predicted_at),
    modelVersion: row.model_version,
    inputs: row.inputs,
    outcome:
      row.observed_value === null
        ? { classIndex: Number(row.observed_outcome), label: row.observed_label }
        : { value: Number(row.observed_value) },
  }));
}

/** Every labelled row of the window, oldest first, read `pageSize` rows at a time. */
export async function* allLabelledRows(
  read: (query: LabelledRowsQuery) => Promise<LabelledRow[]>,
  window: Omit<LabelledRowsQuery, 'after' | 'limit'>,
  pageSize = 5000,
): AsyncGenerator<LabelledRow[]> {
  let after: LabelledRow | undefined;
  for (;;) {
    const page = await read({ ...window, after, limit: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1);
  }
}
