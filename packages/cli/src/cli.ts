/** An expected failure (bad input, missing file): printed as one line, exit code non-zero, no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

type CommandModule = { run(args: string[]): Promise<void> };

export async function runCommand(
  commands: Record<string, () => Promise<CommandModule>>,
  argv: string[],
): Promise<void> {
  const [name, ...rest] = argv;
  const usage = `usage: glyco <${Object.keys(commands).join('|')}> [options]`;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const load = commands[name];
  if (!load) throw new CliError(`unknown command "${name}"; ${usage}`, 2);
  const command = await load();
  await command.run(rest);
}

/** File system failures a user causes with a path (missing, unreadable, unwritable, full disk). */
const FILE_SYSTEM_CODES = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENOSPC',
  'EROFS',
]);

/**
 * The errors a user can cause: ours, node:util parseArgs's (unknown option, missing value), and file system
 * errors on the paths they gave (the message names the path and the operation).
 */
export function asCliError(error: unknown): CliError | undefined {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('ERR_PARSE_ARGS_')) return new CliError((error as Error).message, 2);
  if (FILE_SYSTEM_CODES.has(code)) return new CliError((error as Error).message);
  return undefined;
}
