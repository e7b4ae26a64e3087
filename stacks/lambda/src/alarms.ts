import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

interface AlarmArgs {
  name: (purpose: string) => string;
  tags: Tags;
  functionName: pulumi.Output<string>;
  settings: Pick<LambdaSettings, 'alarmErrors' | 'alarmP99DurationMs' | 'alarmTopicArn'>;
}

/** Alarms on the function's errors and its p99 duration, notifying the configured SNS topic if any. */
export function functionAlarms({
  name,
  tags,
  functionName,
  settings,
}: AlarmArgs): aws.cloudwatch.MetricAlarm[] {
  const actions = settings.alarmTopicArn ? [settings.alarmTopicArn] : [];
  const common = {
    namespace: 'AWS/Lambda',
    dimensions: { FunctionName: functionName },
    period: 300,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
    alarmActions: actions,
    okActions: actions,
    tags,
  };
  return [
    new aws.cloudwatch.MetricAlarm(name('api-errors'), {
      ...common,
      name: name('api-errors'),
      alarmDescription: 'The inference function raised errors (5xx from the handler, crashes, timeouts).',
      metricName: 'Errors',
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: settings.alarmErrors,
    }),
    new aws.cloudwatch.MetricAlarm(name('api-duration'), {
      ...common,
      name: name('api-duration'),
      alarmDescription: 'The slowest 1% of invocations take longer than the configured bound.',
      metricName: 'Duration',
      extendedStatistic: 'p99',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: settings.alarmP99DurationMs,
    }),
  ];
}
