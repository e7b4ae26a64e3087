import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openRegistry, promote } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regressionManifest } from '../../../contract/test/fixture.ts';
import { loadModel } from '../../src/model/load-model.ts';
import { ModelLoadError } from '../../src/model/model-load-error.ts';
import { bundledModelDirectory, resolveModel, resolveModelDirectory } from '../../src/model/model-uri.ts';
import { compileRowEncoder } from '../../src/model/row-encoder.ts';
import { MANIFEST, MODEL_DIR } from '../support/fixtures.ts';
import {
  IRIS_DIR,
  IRIS_ROW,
  PROGRESSION,
  PROGRESSION_DIR,
  PROGRESSION_ROW,
  READMISSIONS,
  READMISSIONS_DIR,
  READMISSIONS_ROW,
} from '../support/task-models.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'glyco-load-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A copy of the bundled model in a new directory, for a test to break. */
async function copyOfModel(name: string): Promise<string> {
  const dir = join(scratch, name);
  await cp(MODEL_DIR, dir, { recursive: true });
  return dir;
}

async function editManifest(dir: string, edit: (manifest: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

const OPTIONS = { intraOpThreads: 1 };

describe('loadModel', () => {
  it('loads the bundled model and runs it', async () => {
    const model = await loadModel(MODEL_DIR, OPTIONS);
    expect(model.manifest).toEqual(MANIFEST);
    const input = {
      numeric: new Float32Array(MANIFEST.features.length).fill(Number.NaN),
      categorical: undefined,
    };
    const outputs = await model.engine.run(input, 1);
    if (outputs.kind !== 'classes') throw new Error('expected classes');
    expect(outputs.labels).toHaveLength(1);
    expect(outputs.probabilities[0]! + outputs.probabilities[1]!).toBeCloseTo(1, 5);
    await model.engine.release();
  });

  it('loads a model of every task and gives the outputs of its task', async () => {
    const classes = async (dir: string, row: Record<string, unknown>) => {
      const model = await loadModel(dir, OPTIONS);
      const encoder = compileRowEncoder(model.manifest);
      const input = encoder.allocate(2);
      expect(encoder.encodeObject(row, input, 0) && encoder.encodeObject(row, input, 1)).toBe(true);
      const outputs = await model.engine.run(input, 2);
      await model.engine.release();
      return outputs;
    };
    const iris = await classes(IRIS_DIR, IRIS_ROW);
    if (iris.kind !== 'classes') throw new Error('expected classes');
    expect([...iris.labels]).toEqual([2, 2]);
    expect(iris.probabilities).toHaveLength(6);
    expect(Array.from(iris.probabilities.slice(0, 3)).reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);

    const readmissions = await classes(READMISSIONS_DIR, READMISSIONS_ROW);
    if (readmissions.kind !== 'classes') throw new Error('expected classes');
    expect(readmissions.probabilities).toHaveLength(2 * READMISSIONS.target.classLabels.length);

    const progression = await classes(PROGRESSION_DIR, PROGRESSION_ROW);
    if (progression.kind !== 'values') throw new Error('expected values');
    expect(progression.values).toBeInstanceOf(Float64Array);
    expect(progression.values[0]).toBeGreaterThan(PROGRESSION.trainingData.targetSummary.min);
    expect(progression.values[0]).toBe(progression.values[1]);
  });

  it('refuses a model.onnx whose sha256 differs from the manifest, before onnxruntime sees it', async () => {
    const dir = await copyOfModel('tampered');
    const bytes = await readFile(join(dir, 'model.onnx'));
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(join(dir, 'model.onnx'), bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    const error = await loadModel(dir, OPTIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toBe(
      `${join(dir, 'model.onnx')}: sha256 ${actual} does not match the manifest's onnx.sha256 ${MANIFEST.onnx.sha256}; refusing a tampered or corrupt model`,
    );
  });

  it('refuses a corrupt model.onnx even when the manifest hash matches it, with one clear message', async () => {
    const dir = await copyOfModel('corrupt');
    const garbage = Buffer.from('this is not an ONNX graph');
    await writeFile(join(dir, 'model.onnx'), garbage);
    await editManifest(dir, (manifest) => {
      (manifest.onnx as { sha256: string }).sha256 = createHash('sha256').update(garbage).digest('hex');
    });
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(
      new RegExp(`^${join(dir, 'model.onnx')} cannot be loaded by onnxruntime: `),
    );
  });

  it('refuses a graph whose input or outputs are not the ones the manifest names', async () => {
    const dir = await copyOfModel('renamed-input');
    await editManifest(dir, (manifest) => {
      (manifest.onnx as { input: { name: string } }).input.name = 'rows';
    });
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(
      'model.onnx does not match its manifest: no input "rows"',
    );
  });

  it('refuses an invalid manifest, naming the field', async () => {
    const dir = await copyOfModel('bad-manifest');
    await editManifest(dir, (manifest) => {
      manifest.features = [];
    });
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(
      /manifest.json is not a valid manifest: .*features/,
    );
  });

  it('refuses a graph without the categorical input its manifest names', async () => {
    const dir = join(scratch, 'renamed-categories');
    await cp(READMISSIONS_DIR, dir, { recursive: true });
    await editManifest(dir, (manifest) => {
      (manifest.onnx as { categoricalInput: { name: string } }).categoricalInput.name = 'texts';
    });
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(
      'model.onnx does not match its manifest: no input "texts" (the graph has features, categories)',
    );
  });

  it('refuses a regression manifest over a classifier\'s graph: no output "value"', async () => {
    const dir = await copyOfModel('regression-manifest');
    await editManifest(dir, (manifest) => {
      const regression = regressionManifest();
      Object.assign(manifest, {
        ...regression,
        features: manifest.features,
        reference: manifest.reference,
        onnx: { ...regression.onnx, sha256: (manifest.onnx as { sha256: string }).sha256 },
        trainingOptions: {
          ...regression.trainingOptions,
          data: {
            ...regression.trainingOptions.data,
            sha256: (manifest.trainingData as { sha256: string }).sha256,
          },
        },
        trainingData: {
          ...regression.trainingData,
          sha256: (manifest.trainingData as { sha256: string }).sha256,
        },
      });
    });
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(
      'model.onnx does not match its manifest: no output "value" (the graph has label, probabilities)',
    );
  });

  it('refuses a manifest that is not JSON', async () => {
    const dir = await copyOfModel('not-json');
    await writeFile(join(dir, 'manifest.json'), '{ nope');
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(/manifest.json is not a valid manifest: /);
  });

  it('says which file is missing', async () => {
    const dir = await copyOfModel('no-onnx');
    await rm(join(dir, 'model.onnx'));
    await expect(loadModel(dir, OPTIONS)).rejects.toThrow(`cannot read ${join(dir, 'model.onnx')}: ENOENT`);
  });
});

describe('resolveModelDirectory', () => {
  it('serves the bundled model by default, found from the code, not the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      expect(await resolveModelDirectory(undefined)).toBe(MODEL_DIR);
    } finally {
      process.chdir(cwd);
    }
  });

  it('finds the bundled model from a packaged app directory (dist/ next to models/)', async () => {
    const app = join(scratch, 'app');
    await mkdir(join(app, 'dist'), { recursive: true });
    await cp(MODEL_DIR, join(app, 'models', MANIFEST.name, MANIFEST.version), { recursive: true });
    expect(bundledModelDirectory(join(app, 'dist'))).toBe(join(app, 'models', MANIFEST.name));
  });

  it('takes a version directory as is, as a path or a file:// URL', async () => {
    expect(await resolveModelDirectory(MODEL_DIR)).toBe(MODEL_DIR);
    expect(await resolveModelDirectory(pathToFileURL(MODEL_DIR).href)).toBe(MODEL_DIR);
  });

  it('takes the newest version of a model directory, comparing versions as numbers', async () => {
    const registry = join(scratch, 'registry', 'm');
    for (const version of ['1.9.0', '1.10.0', '1.2.0']) {
      await cp(MODEL_DIR, join(registry, version), { recursive: true });
    }
    await mkdir(join(registry, '9.0.0-empty'));
    expect(await resolveModelDirectory(registry)).toBe(join(registry, '1.10.0'));
  });

  it('says so when there is no model at a path', async () => {
    await expect(resolveModelDirectory(join(scratch, 'nothing-here'))).rejects.toThrow(
      `no model at ${join(scratch, 'nothing-here')}: the directory does not exist or cannot be read`,
    );
    await mkdir(join(scratch, 'empty'));
    await expect(resolveModelDirectory(join(scratch, 'empty'))).rejects.toThrow(
      'expected manifest.json in it, or version directories holding one',
    );
  });

  it('refuses a URI scheme it cannot load', async () => {
    const refusal =
      'MODEL_URI scheme "https://" is not supported; use s3://<bucket>/<prefix>/<name>@<alias> ' +
      '(or …/<name>/<version>), a file:// URL or a directory path';
    await expect(resolveModelDirectory('https://example.com/model')).rejects.toThrow(refusal);
    await expect(
      resolveModel('https://example.com/models/pima-diabetes@production', scratch),
    ).rejects.toThrow(refusal);
  });

  it('leaves a registry model to resolveModel', async () => {
    await expect(resolveModelDirectory('s3://bucket/models/pima-diabetes/1.0.0')).rejects.toThrow(
      's3://bucket/models/pima-diabetes/1.0.0 names a model in a registry, not a directory',
    );
  });
});

describe('resolveModel', () => {
  it('serves local directories as resolveModelDirectory does, following nothing', async () => {
    expect(await resolveModel(undefined, scratch)).toEqual({ directory: MODEL_DIR });
    expect(await resolveModel(pathToFileURL(MODEL_DIR).href, scratch)).toEqual({ directory: MODEL_DIR });
  });

  it('resolves an alias of a local registry, as a path or a file:// URL, in place', async () => {
    const registry = join(scratch, 'local-registry');
    await cp(MODEL_DIR, join(registry, MANIFEST.name, MANIFEST.version), { recursive: true });
    await promote(openRegistry(registry), {
      name: MANIFEST.name,
      version: MANIFEST.version,
      alias: 'staging',
    });

    for (const uri of [
      `${registry}/${MANIFEST.name}@staging`,
      pathToFileURL(`${registry}/${MANIFEST.name}@staging`).href,
    ]) {
      const resolved = await resolveModel(uri, join(scratch, 'unused-cache'));
      resolved.followed?.close();
      expect(resolved.directory).toBe(join(registry, MANIFEST.name, MANIFEST.version));
      expect([resolved.followed?.name, resolved.followed?.alias]).toEqual([MANIFEST.name, 'staging']);
    }
  });

  it('names MODEL_URI and what is wrong with a registry URI, or a missing alias', async () => {
    await expect(resolveModel('s3://glyco-models/pima-diabetes@production', scratch)).rejects.toThrow(
      /^MODEL_URI invalid model URI "s3:\/\/glyco-models\/pima-diabetes@production": .*expected s3:\/\/<bucket>\/<prefix>/,
    );
    await expect(resolveModel(`${scratch}/local-registry/${MANIFEST.name}@canary`, scratch)).rejects.toThrow(
      new ModelLoadError(
        `cannot load MODEL_URI ${scratch}/local-registry/${MANIFEST.name}@canary: ${MANIFEST.name} has no alias "canary" in ${scratch}/local-registry`,
      ),
    );
  });
});
