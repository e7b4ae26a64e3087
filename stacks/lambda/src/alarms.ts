import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { LambdaSettings } from './settings.ts';

export interface AlarmArgs {
  name: (purpose: string) => string;
  tags: Tags;
  functionName: pulumi.Output<string>;
  settings: Pick<LambdaSettings, 'alarmErrors' | 'alarmP99DurationMs' | 'alarmTopicArn'>;
}

/** Alarms on the function's errors and its p99 duration, notifying the configured SNS topic if any. */
export class FunctionAlarms extends pulumi.ComponentResource {
  constructor(name: string, args: AlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:lambda:FunctionAlarms', name, {}, opts);
    const parent = { parent: this };
    const { name: named, settings } = args;
    const actions = settings.alarmTopicArn ? [settings.alarmTopicArn] : [];
    const common = {
      namespace: 'AWS/Lambda',
      dimensions: { FunctionName: args.functionName },
      period: 300,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
      alarmActions: actions,
      okActions: actions,
      tags: args.tags,
    };
    new aws.cloudwatch.MetricAlarm(
      named('api-errors'),
      {
        ...common,
        name: named('api-errors'),
        alarmDescription: 'The inference function raised errors (5xx from the handler, crashes, timeouts).',
        metricName: 'Errors',
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: settings.alarmErrors,
      },
      parent,
    );
    new aws.cloudwatch.MetricAlarm(
      named('api-duration'),
      {
        ...common,
        name: named('api-duration'),
        alarmDescription: 'The slowest 1% of invocations take longer than the configured bound.',
        metricName: 'Duration',
        extendedStatistic: 'p99',
        comparisonOperator: 'GreaterThanThreshold',
        threshold: settings.alarmP99DurationMs,
      },
      parent,
    );
    this.registerOutputs({});
  }
}
