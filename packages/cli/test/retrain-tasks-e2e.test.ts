import { listRuns, readManifest } from '@glyco/registry';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Answer,
  glyco,
  predictAndReport,
  retrainArgs,
  sample,
  servedVersion,
  startWorld,
  steadyLoad,
  type World,
  type WorldModel,
} from './support/retrain-world.ts';

/**
 * The loop end to end for a multiclass and a regression champion, as `retrain-e2e.test.ts` runs it for a binary
 * one: the node server follows `production` and logs to the embedded database; clients send predictions and
 * report outcomes (a class label, a number); `glyco retrain --from-server` judges a challenger on the task's primary
 * metric over the most recent labelled rows and moves the alias only when it wins.
 */

type Outcome = (row: Record<string, number>, answer: Answer, random: () => number) => number | string;

interface TaskCase {
  model: WorldModel;
  /** The seeded shift: the clients' rows, and the outcome each row turns out to have. */
  shifted: { rows: (seed: number) => Record<string, number>[]; outcome: Outcome };
  /** No shift: outcomes drawn from the champion's own answer, so no challenger can beat it. */
  championIsRight: Outcome;
  metric: { key: string; label: string };
  /** The least improvement a winner shows here (the lower end of its interval), in the metric's units. */
  clearWin: number;
}

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const IRIS: WorldModel = {
  name: 'iris',
  version: '1.0.0',
  target: 'species',
  dir: 'models/iris/1.0.0',
  data: 'data/iris.csv',
};
const PROGRESSION: WorldModel = {
  name: 'diabetes-progression',
  version: '1.0.0',
  target: 'progression',
  dir: 'models/diabetes-progression/1.0.0',
  data: 'data/diabetes-progression.csv',
};

/** A standard normal draw (Box–Muller) from a seeded uniform source. */
const normal = (random: () => number) =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const cases: TaskCase[] = [
  {
    // The flowers now come from another site, their sepals 1.5 cm longer, and the species reported follows the
    // sepal width (narrow, middle, wide), which the champion, reading the petals, does not follow; one report in
    // ten names a species at random.
    model: IRIS,
    shifted: {
      rows: (seed) => sample(seed, IRIS).map((row) => ({ ...row, sepal_length: row.sepal_length! + 1.5 })),
      outcome: (row, _, random) =>
        random() < 0.1
          ? SPECIES[Math.floor(random() * 3)]!
          : SPECIES[row.sepal_width! < 2.9 ? 0 : row.sepal_width! < 3.2 ? 1 : 2]!,
    },
    championIsRight: (_, answer, random) => {
      let draw = random();
      for (const label of SPECIES) {
        draw -= answer.probabilities![label]!;
        if (draw < 0) return label;
      }
      return SPECIES.at(-1)!;
    },
    metric: { key: 'rocAuc', label: 'macro ROC AUC' },
    clearWin: 0.2,
  },
  {
    // An older cohort (20 years added to every age) whose disease progresses 40% further than the champion
    // predicts, with fresh noise on every row.
    model: PROGRESSION,
    shifted: {
      rows: (seed) => sample(seed, PROGRESSION).map((row) => ({ ...row, age: Math.min(row.age! + 20, 110) })),
      outcome: (_, answer, random) => Math.round(1.4 * answer.value! + 15 * normal(random)),
    },
    championIsRight: (_, answer, random) => Math.round(answer.value! + 40 * normal(random)),
    metric: { key: 'rmse', label: 'RMSE' },
    clearWin: 10,
  },
];

const SEED = 23;

describe.each(cases)('glyco retrain end to end, a $model.name champion', (task) => {
  const { name } = task.model;
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it(`promotes a challenger that wins on the shifted recent rows by ${task.metric.label}, and the server swaps to it`, {
    timeout: 180_000,
  }, async () => {
    world = await startWorld('file registry, embedded log', task.model);
    await predictAndReport(world.base, task.shifted.rows(SEED), task.shifted.outcome, SEED);
    const load = steadyLoad(world.base, task.shifted.rows(SEED + 1)[0]!);

    const result = await glyco(retrainArgs(world, name), world.env, world.cwd);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const { run } = JSON.parse(result.stdout);
    expect(run).toMatchObject({
      decision: 'promoted',
      champion: { version: '1.0.0', alias: 'production' },
      version: { version: '1.1.0', published: true },
    });
    expect(run.reason).toMatch(
      new RegExp(`^the challenger is better: ${task.metric.label} on the evaluation rows: challenger `),
    );
    expect(run.metrics.evaluation).toMatchObject({ rows: 300, metric: task.metric.key });
    expect(run.metrics.evaluation.improvement.low).toBeGreaterThan(task.clearWin);

    const deadline = Date.now() + 20_000;
    while ((await servedVersion(world.base)) !== '1.1.0') {
      if (Date.now() > deadline) throw new Error('the server did not swap to 1.1.0');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const counts = await load.stop();
    expect(counts.failed).toBe(0);
    const manifest = await readManifest(world.store, name, '1.1.0');
    expect(manifest.lineage).toMatchObject({ runId: run.id, parent: { version: '1.0.0' } });
    // glyco runs names the metric, and shows the improvement positive when the challenger is better.
    const listed = await glyco(['runs', name, '--registry', world.registry], world.env, world.cwd);
    expect(listed.stdout).toMatch(
      new RegExp(`${run.id} .* promoted .* ${task.metric.label} \\d+\\.\\d{3} vs \\d+\\.\\d{3} \\(\\+`),
    );
  });

  it('keeps the champion when its own answers are right, and the run says why', {
    timeout: 180_000,
  }, async () => {
    world = await startWorld('file registry, embedded log', task.model);
    await predictAndReport(world.base, sample(SEED, task.model), task.championIsRight, SEED);

    const result = await glyco(retrainArgs(world, name), world.env, world.cwd);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(3);
    const { run } = JSON.parse(result.stdout);
    expect(run).toMatchObject({ decision: 'not-promoted', version: { version: '1.1.0', published: false } });
    expect(run.reason).toMatch(/^the (challenger is not better by [\d.]+|improvement could be noise)/);
    expect(run.reason).toContain(`${task.metric.label} on the evaluation rows`);

    await expect(readManifest(world.store, name, '1.1.0')).rejects.toThrow(/not in the registry/);
    expect(await servedVersion(world.base)).toBe('1.0.0');
    const [recorded] = await listRuns(world.store, name);
    expect(recorded!.record?.reason).toBe(run.reason);
  });
});
