import { APP_PORT } from '@glyco/infra';
import type { EcsSettings } from './settings.ts';

export const CONTAINER_NAME = 'api';
/** The task's bind mount on /tmp (the image declares /tmp a VOLUME: see the Dockerfile). */
export const SCRATCH_VOLUME = 'tmp';
/** The image's unprivileged user (Dockerfile `USER 10001:10001`). */
export const APP_USER = '10001:10001';

export interface ContainerInputs {
  settings: Pick<EcsSettings, 'image' | 'command' | 'workingDirectory'>;
  environment: Record<string, string>;
  logGroupName: string;
  region: string;
}

/**
 * The task's one container: the shared image started as the node server, non-root, read-only root filesystem
 * (a scratch volume on /tmp), logging to its own log group.
 */
export function containerDefinitions({ settings, environment, logGroupName, region }: ContainerInputs) {
  return [
    {
      name: CONTAINER_NAME,
      image: settings.image.uri,
      essential: true,
      command: settings.command,
      workingDirectory: settings.workingDirectory,
      user: APP_USER,
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters: { initProcessEnabled: true },
      portMappings: [{ containerPort: APP_PORT, protocol: 'tcp', name: 'http' }],
      environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
      mountPoints: [{ sourceVolume: SCRATCH_VOLUME, containerPath: '/tmp', readOnly: false }],
      stopTimeout: 30,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': logGroupName,
          'awslogs-region': region,
          'awslogs-stream-prefix': CONTAINER_NAME,
        },
      },
    },
  ];
}
