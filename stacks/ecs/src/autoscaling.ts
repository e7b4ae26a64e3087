import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { EcsSettings } from './settings.ts';

interface AutoscalingArgs {
  name: (purpose: string) => string;
  tags: Tags;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  requestCountLabel: pulumi.Input<string>;
  settings: Pick<EcsSettings, 'minTasks' | 'maxTasks' | 'cpuTargetPercent' | 'requestsPerTargetPerMinute'>;
}

/** Target tracking on CPU and on ALB requests per task: whichever asks for more tasks wins. */
export function serviceAutoscaling({
  name,
  tags,
  clusterName,
  serviceName,
  requestCountLabel,
  settings,
}: AutoscalingArgs) {
  const target = new aws.appautoscaling.Target(name('api-scaling'), {
    serviceNamespace: 'ecs',
    scalableDimension: 'ecs:service:DesiredCount',
    resourceId: pulumi.interpolate`service/${clusterName}/${serviceName}`,
    minCapacity: settings.minTasks,
    maxCapacity: settings.maxTasks,
    tags,
  });
  const trackingPolicy = (
    purpose: string,
    configuration: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
  ) =>
    new aws.appautoscaling.Policy(name(purpose), {
      name: name(purpose),
      policyType: 'TargetTrackingScaling',
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        scaleInCooldown: 120,
        scaleOutCooldown: 30,
        ...configuration,
      },
    });
  trackingPolicy('api-scale-on-cpu', {
    targetValue: settings.cpuTargetPercent,
    predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
  });
  trackingPolicy('api-scale-on-requests', {
    targetValue: settings.requestsPerTargetPerMinute,
    predefinedMetricSpecification: {
      predefinedMetricType: 'ALBRequestCountPerTarget',
      resourceLabel: requestCountLabel,
    },
  });
  return target;
}
