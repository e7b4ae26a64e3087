import { publish } from '@glyco/registry';
import { parseRegistryArgs, positionals, REGISTRY_HELP, withRegistry } from '../registry-cli.ts';

const USAGE = `usage: glyco publish <model-dir> [--registry <uri>]

  <model-dir>          a trainer output directory <out>/<name>/<version>/: model.onnx, manifest.json, card.md, images
${REGISTRY_HELP}

Uploads the version named by its manifest. Versions are immutable: an existing one is refused. Every file is
read back after upload and its sha256 compared with the local file's.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, {});
  if (!parsed) return;
  const [modelDir] = positionals('publish', parsed.positionals, ['model-dir']);
  await withRegistry('publish', parsed.values.registry, async (store) => {
    const result = await publish(store, modelDir!);
    const width = Math.max(...result.files.map(({ file }) => file.length));
    const lines = result.files.map(
      ({ file, bytes, sha256 }) =>
        `  ${file.padEnd(width)}  ${String(bytes).padStart(9)} B  sha256 ${sha256}`,
    );
    process.stdout.write(
      `published ${result.name} ${result.version} to ${result.uri} (read back and verified)\n${lines.join('\n')}\n`,
    );
  });
}
