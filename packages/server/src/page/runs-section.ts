import type { Logger } from '@glyco/logger';
import { type RunEntry, type RunRecord, runVersionLabel } from '@glyco/registry/runs';
import { html } from 'hono/html';
import type { Html } from './layout.ts';

/** How many of the newest runs the model card lists. */
export const CARD_RUNS = 10;

export type RunsStatus =
  | { kind: 'no-registry' }
  | { kind: 'unavailable' }
  | { kind: 'runs'; entries: RunEntry[] };

export interface RunsStatusDeps {
  recentRuns?: ((limit: number) => Promise<RunEntry[]>) | undefined;
  logger: Logger;
}

/** What the model card says about training runs: never an error page, whatever the registry does. */
export async function readRunsStatus(deps: RunsStatusDeps): Promise<RunsStatus> {
  if (!deps.recentRuns) return { kind: 'no-registry' };
  try {
    return { kind: 'runs', entries: await deps.recentRuns(CARD_RUNS) };
  } catch (error) {
    deps.logger.warn('model card: training runs unavailable', { error: (error as Error).message });
    return { kind: 'unavailable' };
  }
}

/** The evaluation on the recent rows: challenger against champion, and the improvement's interval. */
function evaluationCell(record: RunRecord): string {
  const evaluation = record.metrics.evaluation;
  if (!evaluation) return '–';
  const { challenger, champion, improvement, label } = evaluation;
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
  return `${label} ${challenger.value.toFixed(3)} vs ${champion.value.toFixed(3)} (${signed(improvement.value)}, interval ${signed(improvement.low)} to ${signed(improvement.high)})`;
}

/**
 * One row per run. Who ran it and where (actor, host, task ARN) stay in the registry: the page is public to
 * whoever reaches the server, and needs only what was decided and why.
 */
function runRow({ id, record }: RunEntry): Html {
  if (!record) return html`<tr><td>${id}</td><td colspan="5">an unreadable run record</td></tr>`;
  return html`<tr><td><time datetime="${record.startedAt}">${record.startedAt.slice(0, 16).replace('T', ' ')}Z</time></td>
<td>${record.kind}</td><td>${record.decision}</td><td>${runVersionLabel(record, '–')}</td><td>${evaluationCell(record)}</td>
<td>${record.reason}</td></tr>`;
}

export function runsSection(status: RunsStatus): Html {
  const body =
    status.kind === 'no-registry'
      ? html`<p>Runs are recorded in a model registry; this server serves a model from a directory.</p>`
      : status.kind === 'unavailable'
        ? html`<p class="status">Training runs unavailable: the registry did not answer (see the server's logs).</p>`
        : status.entries.length === 0
          ? html`<p>No training runs recorded for this model in its registry.</p>`
          : html`<p class="table-title" id="runs-title">The newest ${status.entries.length} runs, newest first
(<code>glyco runs</code> lists them all and compares them)</p>
<div class="table-scroll" role="region" aria-labelledby="runs-title" tabindex="0">
<table aria-labelledby="runs-title">
<thead><tr><th scope="col">started</th><th scope="col">kind</th><th scope="col">decision</th>
<th scope="col">version ← champion</th><th scope="col">on the recent labelled rows</th><th scope="col">why</th></tr></thead>
<tbody>${status.entries.map(runRow)}</tbody>
</table>
</div>`;
  return html`<section class="panel" aria-labelledby="runs-heading">
<h2 id="runs-heading">Training runs</h2>
${body}
</section>`;
}
