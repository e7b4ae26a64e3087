import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  MODEL_FILE,
  type ModelManifest,
  manifestSignatureMismatch,
  modelMismatch,
  parseManifest,
  type TrustedKeys,
} from '@glyco/contract';
import type { InferenceEngine } from './inference-engine.ts';
import { ModelLoadError } from './model-load-error.ts';
import { createOnnxEngine, type OnnxEngineOptions } from './onnx-engine.ts';

/** A verified model, ready to run. */
export interface LoadedModel {
  directory: string;
  manifest: ModelManifest;
  engine: InferenceEngine;
}

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ModelLoadError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export interface LoadModelOptions extends OnnxEngineOptions {
  /** The keys the manifest must be signed by (MODEL_SIGNING_PUBLIC_KEY); unset: signatures are not checked. */
  trusted?: TrustedKeys | undefined;
}

/** The manifest, after checking its signature when keys are trusted: an unsigned one is refused then. */
async function readManifest(directory: string, trusted: TrustedKeys | undefined): Promise<ModelManifest> {
  const path = join(directory, MANIFEST_FILE);
  const bytes = await readOrFail(path);
  if (trusted) {
    const signature = await readFile(join(directory, MANIFEST_SIGNATURE_FILE)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw new ModelLoadError(`cannot read ${join(directory, MANIFEST_SIGNATURE_FILE)}: ${error.code}`);
      },
    );
    const mismatch = manifestSignatureMismatch(bytes, signature, trusted);
    if (mismatch) throw new ModelLoadError(`${path}: ${mismatch}`);
  }
  try {
    return parseManifest(JSON.parse(bytes.toString('utf8')));
  } catch (error) {
    throw new ModelLoadError(`${path} is not a valid manifest: ${(error as Error).message}`);
  }
}

/**
 * Reads the manifest, verifies its signature (when keys are trusted) and the sha256 of `model.onnx` against it
 * before any byte reaches onnxruntime, and creates the session. Every failure is one ModelLoadError that names
 * the file and what is wrong.
 */
export async function loadModel(directory: string, options: LoadModelOptions): Promise<LoadedModel> {
  const manifest = await readManifest(directory, options.trusted);
  const modelPath = join(directory, MODEL_FILE);
  const modelBytes = await readOrFail(modelPath);
  const mismatch = modelMismatch(manifest, modelBytes);
  if (mismatch) throw new ModelLoadError(`${modelPath}: ${mismatch}`);
  let engine: InferenceEngine;
  try {
    engine = await createOnnxEngine(modelBytes, manifest, options);
  } catch (error) {
    throw new ModelLoadError(`${modelPath} cannot be loaded by onnxruntime: ${(error as Error).message}`);
  }
  return { directory, manifest, engine };
}
