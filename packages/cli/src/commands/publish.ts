import { publish } from '@glyco/registry';
import { parseRegistryArgs, positionals, REGISTRY_HELP, withRegistry } from '../registry-cli.ts';
import { SIGNING_HELP, SIGNING_OPTIONS, signerFrom } from '../signing-cli.ts';

const USAGE = `usage: glyco publish <model-dir> [--data <csv>] [--signing-key <pem> | --kms-signing-key <id>] [--registry <uri>]

  <model-dir>          a trainer output directory <out>/<name>/<version>/: model.onnx, manifest.json, card.md, images
  --data <csv>         the data it was trained on, stored with it so it can be retrained (default: the copy glyco
                       train kept in <out>/<name>/datasets/, when there is one); its sha256 must be the manifest's
${SIGNING_HELP}
${REGISTRY_HELP}

Uploads the version named by its manifest, and its training data under <name>/datasets/<sha256>.csv. Versions
are immutable: an existing one is refused. Every file is read back after upload and its sha256 compared with the
local file's. Signed, the manifest's signature (manifest.json.sig) is uploaded before the manifest; a server with
MODEL_SIGNING_PUBLIC_KEY set loads only versions signed by that key.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, { data: { type: 'string' }, ...SIGNING_OPTIONS });
  if (!parsed) return;
  const [modelDir] = positionals('publish', parsed.positionals, ['model-dir']);
  const signer = await signerFrom('publish', parsed.values);
  await withRegistry('publish', parsed.values.registry, async (store) => {
    const result = await publish(store, modelDir!, { data: parsed.values.data, signer });
    const width = Math.max(...result.files.map(({ file }) => file.length));
    const lines = result.files.map(
      ({ file, bytes, sha256 }) =>
        `  ${file.padEnd(width)}  ${String(bytes).padStart(9)} B  sha256 ${sha256}`,
    );
    const dataset = result.dataset
      ? `training data: ${store.uri}/${result.dataset.key} (${result.dataset.created ? 'stored' : 'already stored'})`
      : 'training data: none stored (pass --data <csv>): glyco retrain will need --data';
    const signed = result.signedBy
      ? `signed: manifest.json.sig by ${result.signedBy}`
      : 'signed: no (pass --signing-key or --kms-signing-key): a server with MODEL_SIGNING_PUBLIC_KEY refuses it';
    process.stdout.write(
      `published ${result.name} ${result.version} to ${result.uri} (read back and verified)\n${lines.join('\n')}\n${dataset}\n${signed}\n`,
    );
  });
}
