import type { ModelManifest } from '@glyco/contract';
import {
  allLabelledRows,
  DEFAULT_DRIFT_ROWS,
  type DriftReport,
  type LabelledRow,
  loggedDrift,
  type PredictionLogReader,
} from '@glyco/prediction-log';
import { withLogReader } from '../prediction-log-cli.ts';

/** Where a retrain reads the prediction log: the database the server writes, or the server itself. */
export interface LabelledSource {
  /** For messages and the run record: `database` or the server's URL. */
  readonly name: string;
  /** Every labelled row of the model since `since`, oldest first. */
  labelledRows(modelName: string, since: Date | undefined): Promise<LabelledRow[]>;
  /** The drift report of the model version over the predictions logged since `since`. */
  drift(manifest: ModelManifest, since: Date): Promise<DriftReport>;
}

const SERVER_HINT = 'read through it instead: glyco retrain … --from-server http://localhost:8080';

/** The database as the server's DATABASE_* variables name it, opened read-only for each read. */
export function databaseSource(): LabelledSource {
  const read = <T>(work: (reader: PredictionLogReader) => Promise<T>) =>
    withLogReader('retrain', SERVER_HINT, work);
  return {
    name: 'database',
    labelledRows: (modelName, since) =>
      read(async (reader) => {
        const rows: LabelledRow[] = [];
        for await (const page of allLabelledRows(reader.labelledRows, { modelName, since }))
          rows.push(...page);
        return rows;
      }),
    drift: (manifest, since) =>
      read((reader) => loggedDrift(reader, manifest, { since, limit: DEFAULT_DRIFT_ROWS })),
  };
}

/** A running server that holds the log: its outcomes export (loopback clients only) and its drift report. */
export function serverSource(baseUrl: string): LabelledSource {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    name: base,
    async labelledRows(modelName, since) {
      const query = since ? `?since=${encodeURIComponent(since.toISOString())}` : '';
      const response = await fetchOk(`${base}/v1/models/${modelName}/outcomes${query}`);
      return parseExport(await response.text(), base);
    },
    async drift(manifest, since) {
      const query = `?since=${encodeURIComponent(since.toISOString())}`;
      return (
        await fetchOk(`${base}/v1/models/${manifest.name}/drift${query}`)
      ).json() as Promise<DriftReport>;
    },
  };
}

async function fetchOk(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(
      `cannot reach ${url}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`,
    );
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => undefined)) as { detail?: string } | undefined;
    throw new Error(`${url} answered ${response.status}${problem?.detail ? `: ${problem.detail}` : ''}`);
  }
  return response;
}

type ExportedRow = {
  id: string;
  predicted_at: string;
  model_version: string;
  inputs: Record<string, unknown>;
  outcome: { class_index: number; label: string | null } | { value: number };
};

/** The NDJSON export: rows, then `{"complete": true, "rows": n}`; anything less is a cut export, refused. */
function parseExport(text: string, base: string): LabelledRow[] {
  const lines = text.split('\n').filter((line) => line !== '');
  const last = lines.length > 0 ? (JSON.parse(lines.at(-1)!) as { complete?: boolean; rows?: number }) : {};
  if (last.complete !== true || last.rows !== lines.length - 1) {
    throw new Error(
      `the outcomes export of ${base} was cut short (${lines.length} lines, no end line that counts them)`,
    );
  }
  return lines.slice(0, -1).map((line) => {
    const row = JSON.parse(line) as ExportedRow;
    return {
      id: row.id,
      predictedAt: new Date(row.predicted_at),
      modelVersion: row.model_version,
      inputs: row.inputs,
      outcome:
        'value' in row.outcome
          ? { value: row.outcome.value }
          : { classIndex: row.outcome.class_index, label: row.outcome.label },
    };
  });
}
