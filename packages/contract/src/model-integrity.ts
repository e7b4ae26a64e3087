import { createHash } from 'node:crypto';
import type { ModelManifest } from './manifest.ts';

/** The lowercase hex sha256 of some bytes, as the manifest records it for the model and the training data. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Why model bytes are not the model the manifest describes, or undefined when their sha256 matches its
 * `onnx.sha256`. A tampered or truncated model must never reach onnxruntime; each caller throws its own error.
 */
export function modelMismatch(manifest: Pick<ModelManifest, 'onnx'>, model: Uint8Array): string | undefined {
  const actual = sha256Hex(model);
  if (actual === manifest.onnx.sha256) return undefined;
  return (
    `sha256 ${actual} does not match the manifest's onnx.sha256 ${manifest.onnx.sha256}; ` +
    'refusing a tampered or corrupt model'
  );
}
