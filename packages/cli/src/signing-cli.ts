import { readFile } from 'node:fs/promises';
import { ConfigError, readModelTrust, readSettings, type TrustedKeys } from '@glyco/contract';
import type { ManifestSigner } from '@glyco/registry';
import { CliError } from './cli.ts';

/** The options of the commands that write a model version: publish, train --out, retrain. */
export const SIGNING_OPTIONS = {
  'signing-key': { type: 'string' },
  'kms-signing-key': { type: 'string' },
} as const;

export const SIGNING_HELP = `  --signing-key <pem>  sign the manifest with this private key file (ed25519, from glyco keys signing-key
                       create; default: $GLYCO_SIGNING_KEY_FILE)
  --kms-signing-key <id>
                       sign the manifest with this AWS KMS key (ECC_NIST_P256, SIGN_VERIFY): a key id, ARN or
                       alias/<name> (default: $GLYCO_KMS_SIGNING_KEY)`;

type SigningValues = { 'signing-key'?: string | undefined; 'kms-signing-key'?: string | undefined };

/**
 * The signer the options or the environment name, or undefined when none: the version is then unsigned, and a
 * server that requires signatures refuses it. One of a local key and a KMS key at most.
 */
export async function signerFrom(
  command: string,
  values: SigningValues,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ManifestSigner | undefined> {
  const keyFile = values['signing-key'] ?? env.GLYCO_SIGNING_KEY_FILE;
  const kmsKey = values['kms-signing-key'] ?? env.GLYCO_KMS_SIGNING_KEY;
  if (keyFile && kmsKey) {
    throw new CliError(
      `${command}: give one signing key: --signing-key (a file) or --kms-signing-key (AWS KMS)`,
      2,
    );
  }
  const registry = await import('@glyco/registry');
  if (kmsKey) return registry.kmsSigner(kmsKey);
  if (!keyFile) return undefined;
  let pem: string;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (error) {
    throw new CliError(
      `${command}: cannot read the signing key ${keyFile}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  try {
    return registry.localSigner(pem, keyFile);
  } catch (error) {
    throw new CliError(`${command}: ${(error as Error).message}`);
  }
}

/** The keys models must be signed by, as the server reads them (MODEL_SIGNING_PUBLIC_KEY[_FILE]). */
export function modelTrust(command: string, env: NodeJS.ProcessEnv = process.env): TrustedKeys | undefined {
  try {
    return readSettings(env, readModelTrust);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${command}: ${error.message}`, 2);
    throw error;
  }
}
