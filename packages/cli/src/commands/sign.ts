import { signVersion } from '@glyco/registry';
import { CliError } from '../cli.ts';
import { parseRegistryArgs, positionals, REGISTRY_HELP, withRegistry } from '../registry-cli.ts';
import { SIGNING_HELP, SIGNING_OPTIONS, signerFrom } from '../signing-cli.ts';

const USAGE = `usage: glyco sign <name> <version> (--signing-key <pem> | --kms-signing-key <id>) [--registry <uri>]

${SIGNING_HELP}
${REGISTRY_HELP}

Signs a version already in the registry, in place: one published before signing was on, or one to keep loading
while the signing key is rotated (sign it with the new key). The model is verified against its manifest's sha256
first, and the new manifest.json.sig replaces any earlier one. Sign only versions you trust: a server with
MODEL_SIGNING_PUBLIC_KEY loads whatever the key signed.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, SIGNING_OPTIONS);
  if (!parsed) return;
  const [name, version] = positionals('sign', parsed.positionals, ['name', 'version']);
  const signer = await signerFrom('sign', parsed.values);
  if (!signer)
    throw new CliError('sign: give the key to sign with: --signing-key <pem> or --kms-signing-key <id>', 2);
  await withRegistry('sign', parsed.values.registry, async (store) => {
    const keyId = await signVersion(store, name!, version!, signer);
    process.stdout.write(`signed ${name} ${version} in ${store.uri}: manifest.json.sig by ${keyId}\n`);
  });
}
