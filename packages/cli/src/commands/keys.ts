import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type ApiKeyEntry,
  ConfigError,
  createApiKey,
  isKeyName,
  parseKeysDocument,
  SCOPES,
  type Scope,
} from '@glyco/contract';
import { CliError } from '../cli.ts';

const USAGE = `usage: glyco keys create <name> --scopes <scope>[,<scope>...] [--file <keys.json>]
       glyco keys signing-key create <private-key.pem>

  <name>        who holds the key (letters, digits, ".", "_", "-"); it names the client in the prediction log
  --scopes      what the key may do: ${SCOPES.join(', ')} (admin: everything)
  --file        add the key's entry to this keys file (API_KEYS_FILE), made if missing

Prints the new key once, on stdout: give it to its holder now, it is not stored anywhere. The server keeps only
its SHA-256, in the entry printed after it: add that entry to the keys document of API_KEYS, API_KEYS_FILE or the
secret API_KEYS_SECRET_ARN (the README's "Authentication" section shows how), or let --file add it.

signing-key create writes a new ed25519 private key for signing models (glyco publish --signing-key) to the
file, readable by its owner only and never overwritten, and prints its public key on stdout: give that to the
servers as MODEL_SIGNING_PUBLIC_KEY or MODEL_SIGNING_PUBLIC_KEY_FILE (the README's "Signed models").`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scopes: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [action, name, ...rest] = positionals;
  if (action === 'signing-key') return createSigningKey(name, rest);
  if (action !== 'create' || name === undefined || rest.length > 0) {
    throw new CliError(`keys: expected "create <name>"; see glyco keys --help`, 2);
  }
  if (!isKeyName(name)) {
    throw new CliError(`keys: "${name}" cannot name a key: use 1-64 letters, digits, ".", "_" or "-"`, 2);
  }
  const scopes = parseScopes(values.scopes);
  const { key, entry } = createApiKey(name, scopes);
  if (values.file) await addToFile(values.file, entry);
  process.stdout.write(`${key}\n`);
  process.stderr.write(
    `the key of ${name} (${scopes.join(', ')}) is above, shown once; the server stores only this entry:\n` +
      `${JSON.stringify(entry)}\n${values.file ? `added to ${values.file}\n` : ''}`,
  );
}

async function createSigningKey(action: string | undefined, rest: string[]): Promise<void> {
  const [path, ...extra] = rest;
  if (action !== 'create' || path === undefined || extra.length > 0) {
    throw new CliError('keys: expected "signing-key create <private-key.pem>"; see glyco keys --help', 2);
  }
  const { createSigningKeyPair } = await import('@glyco/registry');
  const pair = createSigningKeyPair();
  try {
    await writeFile(path, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`keys: ${path} exists; a signing key is never overwritten`);
    throw new CliError(`keys: cannot write ${path}: ${code}`);
  }
  process.stdout.write(pair.publicKeyPem);
  process.stderr.write(
    `the private key ${pair.keyId} is in ${path} (keep it secret: it signs models); its public key is above\n`,
  );
}

function parseScopes(text: string | undefined): Scope[] {
  if (!text) throw new CliError(`keys: --scopes is required (${SCOPES.join(', ')})`, 2);
  const scopes = text.split(',').map((scope) => scope.trim());
  const unknown = scopes.find((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown !== undefined) {
    throw new CliError(`keys: unknown scope "${unknown}"; scopes are ${SCOPES.join(', ')}`, 2);
  }
  return [...new Set(scopes as Scope[])];
}

/** Adds the entry to a keys file, refusing a second key of the same name; the file is replaced whole. */
async function addToFile(path: string, entry: ApiKeyEntry): Promise<void> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '{"keys": []}';
    throw error;
  });
  let keys: ApiKeyEntry[];
  try {
    keys = parseKeysDocument(text, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`keys: ${error.message}`);
    throw error;
  }
  if (keys.some((key) => key.name === entry.name)) {
    throw new CliError(`keys: ${path} already has a key named "${entry.name}"; names identify clients`);
  }
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys: [...keys, entry] }, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
