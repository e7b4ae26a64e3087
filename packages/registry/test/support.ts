/// <reference path="./s3rver.d.ts" />
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  BinaryModelManifest,
  ModelManifest,
  MulticlassModelManifest,
  RegressionModelManifest,
} from '@glyco/contract';
import { sha256Hex } from '@glyco/contract';
import S3rver from 's3rver';
import { multiclassManifest, regressionManifest, validManifest } from '../../contract/test/fixture.ts';
import { s3ClientConfig } from '../src/index.ts';

export const BUCKET = 'glyco-models';

export async function temporaryDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `glyco-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type TrainedModel = {
  version: string;
  /** The stand-in model file's content; differs per version by default. */
  onnx?: string;
} & (
  | { cvAuc: number; edit?: (manifest: BinaryModelManifest) => void }
  /** A multiclass model instead of a binary one, compared on its macro ROC AUC. */
  | { cvMacroAuc: number; edit?: (manifest: MulticlassModelManifest) => void }
  /** A regression model instead of a binary one. */
  | { cvRmse: number; edit?: (manifest: RegressionModelManifest) => void }
);

/**
 * Writes what the trainer writes for one version: a manifest that parseManifest accepts, a stand-in model file
 * whose sha256 the manifest records, a card and an image.
 */
export async function writeModelDir(root: string, model: TrainedModel): Promise<string> {
  const dir = join(root, 'pima-diabetes', model.version);
  await mkdir(dir, { recursive: true });
  const onnx = new TextEncoder().encode(model.onnx ?? `stand-in model bytes for ${model.version}`);
  let manifest: ModelManifest;
  if ('cvRmse' in model) {
    const regression = { ...regressionManifest(), name: 'pima-diabetes' };
    regression.metrics.crossValidation.rmse.mean = model.cvRmse;
    model.edit?.(regression);
    manifest = regression;
  } else if ('cvMacroAuc' in model) {
    const multiclass = { ...multiclassManifest(), name: 'pima-diabetes' };
    multiclass.metrics.crossValidation.rocAuc = {
      ...multiclass.metrics.crossValidation.rocAuc,
      mean: model.cvMacroAuc,
    };
    model.edit?.(multiclass);
    manifest = multiclass;
  } else {
    manifest = validManifest();
    manifest.metrics.crossValidation.rocAuc.mean = model.cvAuc;
    model.edit?.(manifest);
  }
  manifest.version = model.version;
  manifest.onnx.sha256 = sha256Hex(onnx);
  await writeFile(join(dir, 'model.onnx'), onnx);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'card.md'), `# pima-diabetes ${model.version}\n\n![ROC](roc.svg)\n`);
  await writeFile(join(dir, 'roc.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

/** The S3 settings a user sets to reach an S3-compatible server: endpoint, keys, region. */
export function s3Env(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  };
}

/** s3rver on loopback with one bucket, and clients configured the way the registry configures its own. */
export async function startS3(): Promise<{
  endpoint: string;
  client: S3Client;
  /** Another client of the same server, for a test to change (e.g. add middleware); the test destroys it. */
  newClient(): S3Client;
  stop(): Promise<void>;
}> {
  const storage = await temporaryDir('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: storage.dir,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = s3Env(endpoint);
  const newClient = () =>
    new S3Client({
      ...s3ClientConfig(env),
      endpoint,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
  const client = newClient();
  return {
    endpoint,
    client,
    newClient,
    async stop() {
      client.destroy();
      await server.close();
      await storage.remove();
    },
  };
}
