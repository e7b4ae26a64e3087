import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, MODEL_FILE, type ModelManifest, modelMismatch, parseManifest } from '@glyco/contract';
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

async function readManifest(directory: string): Promise<ModelManifest> {
  const path = join(directory, MANIFEST_FILE);
  const text = (await readOrFail(path)).toString('utf8');
  try {
    return parseManifest(JSON.parse(text));
  } catch (error) {
    throw new ModelLoadError(`${path} is not a valid manifest: ${(error as Error).message}`);
  }
}

/**
 * Reads the manifest, verifies the sha256 of `model.onnx` against it before any byte reaches onnxruntime, and
 * creates the session. Every failure is one ModelLoadError that names the file and what is wrong.
 */
export async function loadModel(directory: string, options: OnnxEngineOptions): Promise<LoadedModel> {
  const manifest = await readManifest(directory);
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
