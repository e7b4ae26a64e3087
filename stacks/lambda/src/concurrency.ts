import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

/** How much concurrency Lambda keeps unreserved, for the functions that reserve none. */
const KEPT_UNRESERVED = 100;

/** What the account's Lambda concurrency looks like to this function, as Lambda reports it. */
export interface AccountConcurrency {
  /** `AccountLimit.ConcurrentExecutions`: the account's concurrency quota in the region. */
  limit: number;
  /** `AccountLimit.UnreservedConcurrentExecutions`: what other functions' reservations leave. */
  unreserved: number;
  /** What this function holds now (its reservation, else the provisioned concurrency on its alias); 0 if new. */
  heldByFunction: number;
}

/**
 * Refuses, before anything is created, a reserved or provisioned concurrency the account cannot give. Lambda
 * lets a function reserve up to the account's unreserved concurrency minus 100, which it keeps for the
 * functions without a reservation, and refuses more ("decreases account's UnreservedConcurrentExecution below
 * its minimum value"); provisioned concurrency draws on the same pool. The unreserved concurrency already
 * excludes other functions' reservations and this function's own, which an update gives back. Lambda developer
 * guide, https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html ("You can reserve up to
 * the Unreserved account concurrency value that is shown, minus 100"; "Use GetAccountSettings to see your
 * Regional concurrency limit") and https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (new
 * accounts have reduced concurrency quotas, as low as 10).
 */
export function checkConcurrencyFits(
  settings: Pick<LambdaSettings, 'reservedConcurrency' | 'provisionedConcurrency'>,
  account: AccountConcurrency,
): void {
  const [key, claim] = claimOf(settings);
  const available = account.unreserved + account.heldByFunction - KEPT_UNRESERVED;
  if (claim <= available) return;
  const quotaNeeded = account.limit + claim - available;
  const held = account.heldByFunction ? `, ${account.heldByFunction} of them held by this function now` : '';
  throw new Error(
    `Config "${key}" (${claim}) does not fit the account: Lambda reports a concurrency limit of ` +
      `${account.limit}, of which ${account.unreserved} is unreserved (other functions reserve or provision the ` +
      `rest${held}), and it keeps ${KEPT_UNRESERVED} unreserved, so at most ${Math.max(0, available)} can be ` +
      `reserved or provisioned here. Lower or unset "${key}" (and "provisionedConcurrency"), free other ` +
      `functions' reservations, or ask for a quota of at least ${quotaNeeded}: aws service-quotas ` +
      'request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ' +
      `${Math.max(1000, quotaNeeded)} (README, "Deploy to AWS").`,
  );
}

/**
 * Reads the account's concurrency and refuses settings that do not fit it (`checkConcurrencyFits`), when the
 * settings reserve or provision any: a function that takes none needs nothing from the account.
 */
export async function requireConcurrencyFits(
  settings: Pick<LambdaSettings, 'reservedConcurrency' | 'provisionedConcurrency'>,
  fn: { functionName: string; alias: string },
): Promise<void> {
  if (claimOf(settings)[1] === 0) return;
  const { region } = await aws.getRegion();
  checkConcurrencyFits(settings, await readAccountConcurrency({ region, ...fn }));
}

/** The concurrency the settings take from the account, under the key that sets it; 0 when they take none. */
export function claimOf(
  settings: Pick<LambdaSettings, 'reservedConcurrency' | 'provisionedConcurrency'>,
): [key: string, claim: number] {
  return settings.reservedConcurrency !== undefined
    ? ['reservedConcurrency', settings.reservedConcurrency]
    : ['provisionedConcurrency', settings.provisionedConcurrency];
}

/**
 * The account's Lambda concurrency in the region, read with the AWS SDK (no Pulumi provider function reads
 * GetAccountSettings), with the credentials the AWS provider takes from the environment and the stack's
 * `aws:profile`. Every call here is a read that AWS-managed ReadOnlyAccess grants (`lambda:Get*`), so the
 * pull-request preview role makes it too. `AWS_ENDPOINT_URL_LAMBDA` points the SDK elsewhere (the tests).
 */
export async function readAccountConcurrency(args: {
  region: string;
  functionName: string;
  alias: string;
}): Promise<AccountConcurrency> {
  const lambda = await import('@aws-sdk/client-lambda');
  const client = new lambda.LambdaClient({
    region: args.region,
    profile: new pulumi.Config('aws').get('profile'),
  });
  const absent = (error: unknown) => {
    if (
      error instanceof lambda.ResourceNotFoundException ||
      error instanceof lambda.ProvisionedConcurrencyConfigNotFoundException
    )
      return undefined;
    throw error;
  };
  try {
    const settings = await client.send(new lambda.GetAccountSettingsCommand({}));
    const reservation = await client
      .send(new lambda.GetFunctionConcurrencyCommand({ FunctionName: args.functionName }))
      .catch(absent);
    const provisioned = await client
      .send(
        new lambda.GetProvisionedConcurrencyConfigCommand({
          FunctionName: args.functionName,
          Qualifier: args.alias,
        }),
      )
      .catch(absent);
    return {
      limit: settings.AccountLimit?.ConcurrentExecutions ?? 0,
      unreserved: settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      heldByFunction:
        reservation?.ReservedConcurrentExecutions ??
        provisioned?.RequestedProvisionedConcurrentExecutions ??
        0,
    };
  } catch (error) {
    throw new Error(
      `Could not read the account's Lambda concurrency (lambda:GetAccountSettings in ${args.region}), which ` +
        `"reservedConcurrency" and "provisionedConcurrency" are checked against: ${(error as Error).message}`,
    );
  } finally {
    client.destroy();
  }
}
