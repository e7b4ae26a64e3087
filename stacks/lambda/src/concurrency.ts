import * as aws from '@pulumi/aws';
import type { LambdaSettings } from './settings.ts';

/** Service Quotas' code of Lambda's "Concurrent executions" quota (per account and region). */
export const CONCURRENT_EXECUTIONS_QUOTA = { serviceCode: 'lambda', quotaCode: 'L-B99A9384' } as const;

/**
 * Refuses, before anything is created, a reserved or provisioned concurrency the account cannot give. Lambda
 * keeps part of the account's concurrency unreserved for functions without a reservation: 100, or all of it
 * on an account whose quota is 100 or less (new accounts get 10), and refuses a reservation that would go below
 * it ("decreases account's UnreservedConcurrentExecution below its minimum value"). Provisioned concurrency
 * counts towards the same quota. The quota comes from Service Quotas through the AWS provider, so a preview
 * with the stack's own credentials sees it. Reservations of other functions in the account are not counted:
 * Lambda reports those itself. Lambda developer guide: "Configuring reserved concurrency", "Configuring
 * provisioned concurrency", "Lambda quotas" (new accounts have reduced concurrency quotas).
 */
export async function checkConcurrencyFits(
  settings: Pick<LambdaSettings, 'reservedConcurrency' | 'provisionedConcurrency'>,
): Promise<void> {
  const [key, claim] =
    settings.reservedConcurrency !== undefined
      ? ['reservedConcurrency', settings.reservedConcurrency]
      : ['provisionedConcurrency', settings.provisionedConcurrency];
  if (claim === 0) return;
  const { value: quota } = await aws.servicequotas.getServiceQuota(CONCURRENT_EXECUTIONS_QUOTA);
  const keptUnreserved = Math.min(100, quota);
  if (claim <= quota - keptUnreserved) return;
  throw new Error(
    `Config "${key}" (${claim}) does not fit the account: its Lambda concurrency quota is ${quota}, and Lambda ` +
      `keeps at least ${keptUnreserved} unreserved, so at most ${quota - keptUnreserved} can be reserved or ` +
      `provisioned. Unset "${key}" (and "provisionedConcurrency"), or ask for a quota of at least ` +
      `${claim + 100}: aws service-quotas request-service-quota-increase --service-code lambda ` +
      `--quota-code L-B99A9384 --desired-value ${Math.max(1000, claim + 100)} (README, "Deploy to AWS").`,
  );
}
