import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { EcsSettings } from './settings.ts';

export interface AutoscalingArgs {
  name: (purpose: string) => string;
  tags: Tags;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  requestCountLabel: pulumi.Input<string>;
  settings: Pick<EcsSettings, 'minTasks' | 'maxTasks' | 'cpuTargetPercent' | 'requestsPerTargetPerMinute'>;
}

/**
 * Target tracking on CPU and on ALB requests per task: whichever asks for more tasks wins. The policies take
 * generated names: a replaced service gets a new resource id, which replaces its policies too.
 */
export class ServiceAutoscaling extends pulumi.ComponentResource {
  constructor(name: string, args: AutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:ecs:ServiceAutoscaling', name, {}, opts);
    const parent = { parent: this };
    const { settings } = args;
    const target = new aws.appautoscaling.Target(
      args.name('api-scaling'),
      {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
        minCapacity: settings.minTasks,
        maxCapacity: settings.maxTasks,
        tags: args.tags,
      },
      parent,
    );
    const trackingPolicy = (
      purpose: string,
      configuration: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
    ) =>
      new aws.appautoscaling.Policy(
        args.name(purpose),
        {
          policyType: 'TargetTrackingScaling',
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            scaleInCooldown: 120,
            scaleOutCooldown: 30,
            ...configuration,
          },
        },
        parent,
      );
    trackingPolicy('api-scale-on-cpu', {
      targetValue: settings.cpuTargetPercent,
      predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    });
    trackingPolicy('api-scale-on-requests', {
      targetValue: settings.requestsPerTargetPerMinute,
      predefinedMetricSpecification: {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: args.requestCountLabel,
      },
    });
    this.registerOutputs({});
  }
}
