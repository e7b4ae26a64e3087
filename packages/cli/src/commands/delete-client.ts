import { parseArgs } from 'node:util';
import { openPredictionLogAdmin } from '@glyco/prediction-log';
import { CliError } from '../cli.ts';
import { withPredictionLog } from '../prediction-log-cli.ts';

const USAGE = `usage: glyco delete-client <client> --yes

Deletes every prediction the log holds of one client, with the outcomes reported for them: the client as the
log's client column and the server's access lines name it, key:<name> for an API key, oidc:<client id> for a
bearer token. Rows logged without authentication (NULL client) are nobody's and stay. It cannot be undone,
hence --yes. Prints how many rows went.

The log is the server's: DATABASE_URL (unset: the embedded database, which a running server holds: stop it
first), with DATABASE_SECRET_ARN, DATABASE_HOST, DATABASE_PORT and DATABASE_NAME as for the server; the login
needs DELETE on predictions.`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [client, ...rest] = positionals;
  if (!client || rest.length > 0)
    throw new CliError('delete-client: name one client; see glyco delete-client --help', 2);
  if (!values.yes) {
    throw new CliError(`delete-client: deleting ${client}'s predictions cannot be undone: add --yes`, 2);
  }
  const deleted = await withPredictionLog(
    'delete-client',
    openPredictionLogAdmin,
    (log) => log.deleteClient(client),
    'stop it first',
  );
  process.stdout.write(`deleted ${deleted} prediction${deleted === 1 ? '' : 's'} of ${client}\n`);
}
