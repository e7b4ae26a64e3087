import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CARD_FILE,
  CONFUSION_MATRIX_FILE,
  PREDICTED_VS_ACTUAL_FILE,
  RESIDUALS_FILE,
  ROC_FILE,
} from '@glyco/contract';

/**
 * The only files of a model directory the page serves, with their content types: never `model.onnx`, the
 * manifest (it has its own API route) or any path a request makes up.
 */
const SERVED_FILES: Readonly<Record<string, string>> = {
  [ROC_FILE]: 'image/svg+xml',
  [CONFUSION_MATRIX_FILE]: 'image/svg+xml',
  [PREDICTED_VS_ACTUAL_FILE]: 'image/svg+xml',
  [RESIDUALS_FILE]: 'image/svg+xml',
  [CARD_FILE]: 'text/markdown; charset=utf-8',
};

export interface ModelFile {
  body: Buffer;
  contentType: string;
}

/** A served file of the model directory, or undefined when `file` is not one of them or is not on disk. */
export async function readModelFile(directory: string, file: string): Promise<ModelFile | undefined> {
  if (!Object.hasOwn(SERVED_FILES, file)) return undefined;
  try {
    return { body: await readFile(join(directory, file)), contentType: SERVED_FILES[file]! };
  } catch {
    return undefined;
  }
}

/** Whether a served file is there, so the card does not show a broken image for a model shipped without it. */
export async function hasModelFile(directory: string, file: string): Promise<boolean> {
  if (!Object.hasOwn(SERVED_FILES, file)) return false;
  return access(join(directory, file)).then(
    () => true,
    () => false,
  );
}

/** The URL a served file of the model `name` is at. */
export function modelFileUrl(name: string, file: string): string {
  return `/models/${encodeURIComponent(name)}/files/${encodeURIComponent(file)}`;
}
