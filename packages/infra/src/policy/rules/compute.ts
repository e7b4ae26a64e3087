import { at, failures, json, list, type PolicyRule } from '../rule.ts';

export const logRetention: PolicyRule = {
  name: 'log-retention',
  description: 'Log groups expire their events (retentionInDays set): logs neither vanish nor grow forever.',
  appliesTo: ['aws:cloudwatch/logGroup:LogGroup'],
  check: ({ props }) =>
    failures([
      !(Number(props.retentionInDays) > 0),
      'retentionInDays must be set to a positive number of days',
    ]),
};

export const lambdaX86InVpc: PolicyRule = {
  name: 'lambda-x86-in-vpc',
  // No reserved concurrency is required: a new account's quota (10) leaves none to reserve, so Lambda refuses
  // any reservation there; the API stage's throttle (api-throttled-and-logged) bounds the function instead.
  description: 'Functions run on x86_64 (onnxruntime aborts on arm64 Lambda) inside the VPC.',
  appliesTo: ['aws:lambda/function:Function'],
  check: ({ props }) => {
    const architectures = list(props.architectures);
    return failures(
      [architectures.length !== 1 || architectures[0] !== 'x86_64', 'architectures must be ["x86_64"]'],
      [
        list(at(props, 'vpcConfig', 'subnetIds')).length === 0,
        'vpcConfig.subnetIds must place the function in the VPC',
      ],
    );
  },
};

export const apiThrottledAndLogged: PolicyRule = {
  name: 'api-throttled-and-logged',
  description: 'HTTP API stages throttle requests and write access logs.',
  appliesTo: ['aws:apigatewayv2/stage:Stage'],
  check: ({ props }) =>
    failures(
      [
        !(Number(at(props, 'defaultRouteSettings', 'throttlingRateLimit')) > 0),
        'throttlingRateLimit must be set',
      ],
      [
        !(Number(at(props, 'defaultRouteSettings', 'throttlingBurstLimit')) > 0),
        'throttlingBurstLimit must be set',
      ],
      [!at(props, 'accessLogSettings', 'destinationArn'), 'accessLogSettings must name a log group'],
    ),
};

const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

export const ecsContainersHardened: PolicyRule = {
  name: 'ecs-containers-hardened',
  description: 'ECS containers run as a non-root user, unprivileged, with a read-only root filesystem.',
  appliesTo: ['aws:ecs/taskDefinition:TaskDefinition'],
  check: ({ props }) => {
    const containers = list(json(props.containerDefinitions));
    if (containers.length === 0) return ['containerDefinitions must be a JSON list of containers'];
    return containers.flatMap((container) => {
      const name = String(at(container, 'name'));
      const user = at(container, 'user');
      return failures(
        [at(container, 'readonlyRootFilesystem') !== true, `${name}: readonlyRootFilesystem must be true`],
        [at(container, 'privileged') === true, `${name}: privileged must not be true`],
        [typeof user !== 'string' || ROOT_USERS.has(user), `${name}: user must be set to a non-root user`],
      );
    });
  },
};

export const eksClusterHardened: PolicyRule = {
  name: 'eks-cluster-hardened',
  description:
    'Clusters encrypt Kubernetes secrets with KMS and log the API, audit and authenticator streams.',
  appliesTo: ['aws:eks/cluster:Cluster'],
  check: ({ props }) => {
    const encrypted = list(props.encryptionConfig).some((config) =>
      list(at(config, 'resources')).includes('secrets'),
    );
    const logTypes = list(props.enabledClusterLogTypes);
    return failures(
      [!encrypted, 'encryptionConfig must encrypt "secrets"'],
      ...['api', 'audit', 'authenticator'].map((logType): [boolean, string] => [
        !logTypes.includes(logType),
        `enabledClusterLogTypes must include "${logType}"`,
      ]),
    );
  },
};

export const kubernetesPodsHardened: PolicyRule = {
  name: 'kubernetes-pods-hardened',
  description:
    'Deployments run containers as non-root, without privilege escalation, read-only root filesystem, with limits.',
  appliesTo: ['kubernetes:apps/v1:Deployment'],
  check: ({ props }) => {
    const pod = at(props, 'spec', 'template', 'spec');
    const podNonRoot = at(pod, 'securityContext', 'runAsNonRoot') === true;
    return list(at(pod, 'containers')).flatMap((container) => {
      const name = String(at(container, 'name'));
      const security = at(container, 'securityContext');
      return failures(
        [!podNonRoot && at(security, 'runAsNonRoot') !== true, `${name}: runAsNonRoot must be true`],
        [
          at(security, 'allowPrivilegeEscalation') !== false,
          `${name}: allowPrivilegeEscalation must be false`,
        ],
        [at(security, 'readOnlyRootFilesystem') !== true, `${name}: readOnlyRootFilesystem must be true`],
        [!at(container, 'resources', 'limits', 'memory'), `${name}: resources.limits.memory must be set`],
      );
    });
  },
};
