import { APP_PORT, readPlatform, stackContext, workloadEnvironment } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { serviceAutoscaling } from './autoscaling.ts';
import { CONTAINER_NAME, containerDefinitions } from './container.ts';
import { publicLoadBalancer } from './load-balancer.ts';
import { taskRoles } from './roles.ts';
import { readEcsSettings } from './settings.ts';

/** The inference app as a Fargate service in the private subnets behind a public ALB. */
export async function ecs() {
  const { env, name, tags, config } = stackContext();
  const settings = readEcsSettings(config, env);
  const platform = readPlatform(settings.org, env);

  const cluster = new aws.ecs.Cluster(name('cluster'), {
    name: name('cluster'),
    settings: [{ name: 'containerInsights', value: 'enabled' }],
    tags,
  });
  const logGroup = new aws.cloudwatch.LogGroup(name('ecs-api'), {
    name: `/ecs/${name('api')}`,
    retentionInDays: settings.logRetentionDays,
    tags,
  });
  const taskGroup = new aws.ec2.SecurityGroup(name('ecs-tasks'), {
    name: name('ecs-tasks'),
    vpcId: platform.vpcId,
    description: 'App tasks: the load balancer in (egress comes from the workload group)',
    tags,
  });
  const lb = publicLoadBalancer({
    name,
    tags,
    platform,
    certificateArn: settings.certificateArn,
    deletionProtection: env === 'prod',
    taskSecurityGroup: taskGroup,
  });
  const roles = taskRoles({ name, tags, image: settings.image, logGroup, platform });

  const environment = workloadEnvironment(platform, settings, platform.databaseEndpoint);
  const taskDefinition = new aws.ecs.TaskDefinition(name('api'), {
    family: name('api'),
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(settings.cpu),
    memory: String(settings.memoryMb),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    executionRoleArn: roles.executionRoleArn,
    taskRoleArn: roles.taskRoleArn,
    volumes: [{ name: 'tmp' }],
    containerDefinitions: pulumi
      .all([environment, logGroup.name, platform.region])
      .apply(([variables, logGroupName, region]) =>
        JSON.stringify(containerDefinitions({ settings, environment: variables, logGroupName, region })),
      ),
    tags,
  });
  const service = new aws.ecs.Service(
    name('api'),
    {
      name: name('api'),
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: settings.minTasks,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: {
        subnets: platform.privateSubnetIds,
        securityGroups: [taskGroup.id, platform.workloadSecurityGroupId],
        assignPublicIp: false,
      },
      loadBalancers: [
        { targetGroupArn: lb.targetGroup.arn, containerName: CONTAINER_NAME, containerPort: APP_PORT },
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
    { dependsOn: lb.listeners, ignoreChanges: ['desiredCount'] },
  );
  serviceAutoscaling({
    name,
    tags,
    clusterName: cluster.name,
    serviceName: service.name,
    requestCountLabel: lb.requestCountLabel,
    settings,
  });

  return {
    url: lb.url,
    clusterName: cluster.name,
    serviceName: service.name,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.apply((variables) => variables.MODEL_URI),
    logGroup: logGroup.name,
    databaseEndpoint: platform.databaseEndpoint,
  };
}
