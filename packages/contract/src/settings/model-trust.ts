import { readFileSync } from 'node:fs';
import { parseTrustedKeys, type TrustedKeys } from '../manifest-signature.ts';
import type { SettingsReader } from './read-settings.ts';

/**
 * The keys models must be signed by, from MODEL_SIGNING_PUBLIC_KEY or the file MODEL_SIGNING_PUBLIC_KEY_FILE
 * names (read now, at startup); undefined when neither is set: models are then not signature-checked.
 */
export function readModelTrust({ read, refuse }: SettingsReader): TrustedKeys | undefined {
  const inline = read('MODEL_SIGNING_PUBLIC_KEY');
  const path = read('MODEL_SIGNING_PUBLIC_KEY_FILE');
  if (inline !== undefined && path !== undefined) {
    refuse('set only one of MODEL_SIGNING_PUBLIC_KEY and MODEL_SIGNING_PUBLIC_KEY_FILE');
    return undefined;
  }
  if (path === undefined) return inline;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    refuse(`MODEL_SIGNING_PUBLIC_KEY_FILE ${path} cannot be read: ${(error as NodeJS.ErrnoException).code}`);
    return undefined;
  }
  try {
    return parseTrustedKeys(text);
  } catch (error) {
    refuse(`MODEL_SIGNING_PUBLIC_KEY_FILE ${path} ${(error as Error).message}`);
    return undefined;
  }
}
