import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns, openRegistry, promote, publish } from '@glyco/registry';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { LabelledSource } from '../src/retrain/labelled-source.ts';
import { retrain } from '../src/retrain/retrain.ts';
import { MODEL, ROOT, retrainDefaults } from './support/retrain-world.ts';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'glyco-retrain-lock-'));
  const store = openRegistry(join(scratch, 'registry'));
  await publish(store, join(ROOT, 'models/pima-diabetes/1.1.0'));
  await promote(store, { name: MODEL, version: '1.1.0', alias: 'production', actor: 'test' });
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const settings = (source: LabelledSource, workDir: string) =>
  retrainDefaults(join(scratch, 'registry'), source, workDir);

it('runs one retrain of a model at a time: the second, started meanwhile, is skipped and says who holds it', async () => {
  // The retrain holding the lock stays in its drift check until the other one has finished.
  let otherFinished!: () => void;
  const finished = new Promise<void>((resolve) => {
    otherFinished = resolve;
  });
  const source: LabelledSource = {
    name: 'test',
    labelledRows: async () => [],
    drift: async () => {
      await finished;
      return { rows: { analysed: 0 }, drifted: [] } as never;
    },
  };
  const work = (n: number) => mkdtemp(join(scratch, `work-${n}-`));
  const runs = [retrain(settings(source, await work(1))), retrain(settings(source, await work(2)))];
  const first = await Promise.race(runs);
  otherFinished();
  const [a, b] = await Promise.all(runs);
  const holder = first === a ? b! : a!;

  expect(first.record.decision).toBe('skipped');
  expect(
    first.record.reason.startsWith(
      `another retrain is running: ${MODEL} is locked for retrain by run ${holder.record.id} (`,
    ),
  ).toBe(true);
  expect(holder.record).toMatchObject({
    decision: 'skipped',
    reason: expect.stringMatching(/^0 labelled rows/),
  });
  expect((await listRuns(openRegistry(join(scratch, 'registry')), MODEL)).length).toBe(2);

  // Released at the end of the run: the next retrain takes the lock.
  const unblocked = { ...source, drift: async () => ({ rows: { analysed: 0 }, drifted: [] }) as never };
  const next = await retrain(settings(unblocked, await work(3)));
  expect(next.record.reason).toMatch(/^0 labelled rows/);
});
