import { APP_PORT, type PlatformReference, type Tags, type TargetEnvironment } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CONTAINER_NAME, containerDefinitions, SCRATCH_VOLUME } from './container.ts';
import { TaskRoles } from './roles.ts';
import type { EcsSettings } from './settings.ts';

export interface FargateServiceArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  settings: Pick<
    EcsSettings,
    'image' | 'command' | 'workingDirectory' | 'cpu' | 'memoryMb' | 'minTasks' | 'logRetentionDays'
  >;
  environment: pulumi.Output<TargetEnvironment>;
  /** The load balancer's target group, and the security group it may reach. */
  targetGroupArn: pulumi.Input<string>;
  targetSecurityGroupId: pulumi.Input<string>;
  /** What must exist before the service registers targets (the listeners). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The app as a Fargate service in the private subnets: its cluster (Container Insights on), log group, roles,
 * task definition, and the service that keeps the tasks behind the load balancer, rolling a failed deployment
 * back. The service takes a generated name, so a change ECS cannot make in place (its launch type, its load
 * balancers) creates the new service before the old one goes.
 */
export class FargateService extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:ecs:FargateService', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, settings } = args;

    const cluster = new aws.ecs.Cluster(
      named('cluster'),
      { name: named('cluster'), settings: [{ name: 'containerInsights', value: 'enabled' }], tags },
      parent,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      named('ecs-api'),
      { name: `/ecs/${named('api')}`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    const roles = new TaskRoles(
      named('ecs-roles'),
      { name: named, tags, image: settings.image, logGroupArn: logGroup.arn, platform },
      parent,
    );
    const taskDefinition = new aws.ecs.TaskDefinition(
      named('api'),
      {
        family: named('api'),
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(settings.cpu),
        memory: String(settings.memoryMb),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        executionRoleArn: roles.executionRoleArn,
        taskRoleArn: roles.taskRoleArn,
        volumes: [{ name: SCRATCH_VOLUME }],
        containerDefinitions: pulumi
          .all([args.environment, logGroup.name, platform.region])
          .apply(([variables, logGroupName, region]) =>
            JSON.stringify(containerDefinitions({ settings, environment: variables, logGroupName, region })),
          ),
        tags,
      },
      parent,
    );
    const service = new aws.ecs.Service(
      named('api'),
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: settings.minTasks,
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        networkConfiguration: {
          subnets: platform.privateSubnetIds,
          securityGroups: [args.targetSecurityGroupId, platform.workloadSecurityGroupId],
          assignPublicIp: false,
        },
        loadBalancers: [
          { targetGroupArn: args.targetGroupArn, containerName: CONTAINER_NAME, containerPort: APP_PORT },
        ],
        healthCheckGracePeriodSeconds: 60,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: 'SERVICE',
        enableExecuteCommand: false,
        waitForSteadyState: true,
        tags,
      },
      // Autoscaling owns the task count after the first deploy.
      { ...parent, dependsOn: args.dependsOn, ignoreChanges: ['desiredCount'] },
    );

    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ clusterName: this.clusterName, serviceName: this.serviceName });
  }
}
