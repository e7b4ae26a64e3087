import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const awsRoot = dirname(createRequire(import.meta.url).resolve('@pulumi/aws/package.json'));
const known = new Map<string, boolean | undefined>();

/**
 * Whether an `aws:` resource type takes a `tags` input, read from the installed @pulumi/aws's own declaration
 * of the type's `…Args` interface (`aws:ec2/route:Route` → `ec2/route.d.ts`, `interface RouteArgs`), so a type
 * nobody listed, such as a child that a component registers, is judged like any other. `undefined` when
 * @pulumi/aws declares no such resource.
 */
export function acceptsTags(type: string): boolean | undefined {
  if (!known.has(type)) known.set(type, readAcceptsTags(type));
  return known.get(type);
}

/**
 * The declaration of the resource whose class carries the token. The token's module usually names the file,
 * but not always in its case (`glue/mLTransform` is `glue/mltransform`) or its spelling (`kendra/index` is
 * `kendra/index_`), so the folder's modules are searched for the token when the obvious file is not it.
 */
function declarationFileOf(type: string, folder: string, file: string): string | undefined {
  let modules: string[];
  try {
    modules = readdirSync(join(awsRoot, folder)).filter((entry) => entry.endsWith('.js'));
  } catch {
    return undefined;
  }
  const obvious = `${file}.js`.toLowerCase();
  const ordered = [...modules.filter((m) => m.toLowerCase() === obvious), ...modules];
  const found = ordered.find((module) =>
    readFileSync(join(awsRoot, folder, module), 'utf8').includes(`__pulumiType = '${type}'`),
  );
  return found && join(awsRoot, folder, found.replace(/\.js$/, '.d.ts'));
}

const TOKEN = /^aws:(?<folder>[a-zA-Z0-9]+)\/(?<file>\w+):(?<resource>\w+)$/;

function readAcceptsTags(type: string): boolean | undefined {
  const { folder, file, resource } = TOKEN.exec(type)?.groups ?? {};
  if (!folder || !file || !resource) return undefined;
  const declarationFile = declarationFileOf(type, folder, file);
  if (!declarationFile) return undefined;
  const declaration = readFileSync(declarationFile, 'utf8');
  // The interface's members are indented; its closing brace is the first one at the start of a line.
  const args = new RegExp(`^export interface ${resource}Args \\{$([\\s\\S]*?)^\\}`, 'm').exec(declaration);
  if (!args) return undefined;
  return /^\s+tags\?: /m.test(args[1] ?? '');
}
