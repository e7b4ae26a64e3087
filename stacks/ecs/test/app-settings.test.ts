/**
 * What the stack sets is what the server reads: the container's environment, fed to the server's own
 * configuration parser (`loadConfig`), names only variables the server reads and parses without error; the
 * load balancer sends traffic and health checks to the port the server then listens on, at the contract's
 * readiness path.
 */

import { createPublicKey } from 'node:crypto';
import { keyFingerprint, READINESS_PATH } from '@glyco/contract';
import { ENVIRONMENTS } from '@glyco/infra';
import {
  runStack,
  type StackRun,
  single,
  TEST_IMAGE,
  TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
} from '@glyco/infra/testing';
import { serverReading } from '@glyco/server/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecs } from '../src/ecs.ts';

const stackDir = new URL('..', import.meta.url).pathname;
/** Prod serves HTTPS on a name of its own (README, "Deploy to AWS"). */
const DOMAIN = { domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

type Container = {
  environment: { name: string; value: string }[];
  portMappings: { containerPort: number }[];
  name: string;
};

/** The stack of `env` under mocks, with `config` beside what every run sets, and its one container. */
async function deployed(env: (typeof ENVIRONMENTS)[number], config: Record<string, unknown> = {}) {
  const stack = await runStack({
    project: 'glyco-ecs',
    stack: env,
    stackDir,
    program: ecs,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...(env === 'prod' && DOMAIN), ...config },
  });
  const definitions = single(stack, 'aws:ecs/taskDefinition:TaskDefinition').props.containerDefinitions;
  const [container] = JSON.parse(String(definitions)) as Container[];
  return { stack, container: container! };
}

const readingOf = (container: Container) =>
  serverReading(Object.fromEntries(container.environment.map(({ name, value }) => [name, value])));

describe.each(ENVIRONMENTS)('the ecs stack and the server it deploys, %s', (env) => {
  let stack: StackRun;
  let container: Container;
  beforeAll(async () => {
    ({ stack, container } = await deployed(env));
  });

  const server = () => readingOf(container);

  it('sets only variables the server reads, and values it takes', () => {
    expect(server().unread).toEqual([]);
  });

  it("loads only models signed by the platform's model signing key, unless requireSignedModels is false", async () => {
    const trusted = server().config.modelTrust?.map(keyFingerprint);
    expect(trusted).toEqual([keyFingerprint(createPublicKey(TEST_MODEL_SIGNING_PUBLIC_KEY_PEM))]);

    const migrating = readingOf((await deployed(env, { requireSignedModels: false })).container);
    expect(migrating.unread).toEqual([]);
    expect(migrating.config.modelTrust).toBeUndefined();
  });

  it('sends traffic and health checks to the port the server listens on, and checks its readiness path', () => {
    const { port } = server().config;
    expect(container.portMappings.map((mapping) => mapping.containerPort)).toEqual([port]);
    const service = single(stack, 'aws:ecs/service:Service').props as {
      loadBalancers: { containerName: string; containerPort: number }[];
    };
    expect(service.loadBalancers).toMatchObject([{ containerName: container.name, containerPort: port }]);
    expect(single(stack, 'aws:lb/targetGroup:TargetGroup').props).toMatchObject({
      port,
      healthCheck: { path: READINESS_PATH },
    });
    const fromLoadBalancer = single(
      stack,
      'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
      'tasks-from-alb',
    ).props;
    expect(fromLoadBalancer).toMatchObject({ fromPort: port, toPort: port });
  });
});
