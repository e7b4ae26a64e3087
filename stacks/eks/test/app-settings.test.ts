/**
 * What the stack sets is what the server reads: the pod's environment, fed to the server's own configuration
 * parser (`loadConfig`), names only variables the server reads and parses without error; the pod's port is the
 * one the server then listens on, and its probes and the load balancer's health check ask the contract's paths.
 */
import { LIVENESS_PATH, READINESS_PATH } from '@glyco/contract';
import { at, ENVIRONMENTS } from '@glyco/infra';
import { runStack, type StackRun, single, TEST_IMAGE } from '@glyco/infra/testing';
import { serverReading } from '@glyco/server/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { eks } from '../src/eks.ts';

const stackDir = new URL('..', import.meta.url).pathname;
/** What a person sets on prod before its first deploy (see the committed Pulumi.prod.yaml). */
/** Prod serves HTTPS on a name of its own and admits only named networks to the cluster's API. */
const PROD_SETTINGS = {
  domainName: 'api.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  publicAccessCidrs: ['198.51.100.0/24'],
};

interface Probe {
  httpGet: { path: string; port: string };
}
interface Container {
  env: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
}

describe.each(ENVIRONMENTS)('the eks stack and the server it deploys, %s', (env) => {
  let stack: StackRun;
  let container: Container;
  beforeAll(async () => {
    stack = await runStack({
      project: 'glyco-eks',
      stack: env,
      stackDir,
      program: eks,
      configOverrides: { org: 'acme', image: TEST_IMAGE, ...(env === 'prod' && PROD_SETTINGS) },
    });
    const deployment = single(stack, 'kubernetes:apps/v1:Deployment').props;
    container = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Container;
  });

  const server = () =>
    serverReading(Object.fromEntries(container.env.map(({ name, value }) => [name, value])));

  it('sets only variables the server reads, and values it takes', () => {
    expect(server().unread).toEqual([]);
  });

  it('accepts the tokens of the configured OIDC issuer, as the other targets do', async () => {
    const withOidc = await runStack({
      project: 'glyco-eks',
      stack: env,
      stackDir,
      program: eks,
      configOverrides: {
        org: 'acme',
        image: TEST_IMAGE,
        ...(env === 'prod' && PROD_SETTINGS),
        oidcIssuer: 'https://idp.example.com',
        oidcAudience: 'glyco-api',
        oidcScopePrefix: 'glyco/',
      },
    });
    const deployment = single(withOidc, 'kubernetes:apps/v1:Deployment').props;
    const { env: variables } = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Container;
    const reading = serverReading(Object.fromEntries(variables.map(({ name, value }) => [name, value])));
    expect(reading.unread).toEqual([]);
    expect(reading.config.auth.oidc).toEqual({
      issuer: 'https://idp.example.com',
      audience: 'glyco-api',
      jwksUrl: undefined,
      scopePrefix: 'glyco/',
    });
  });

  it('names the port the server listens on, and probes the liveness and readiness paths on it', () => {
    expect(container.ports).toEqual([expect.objectContaining({ containerPort: server().config.port })]);
    const port = container.ports[0]?.name;
    expect([container.startupProbe, container.livenessProbe, container.readinessProbe]).toMatchObject([
      { httpGet: { path: LIVENESS_PATH, port } },
      { httpGet: { path: LIVENESS_PATH, port } },
      { httpGet: { path: READINESS_PATH, port } },
    ]);
    expect(at(single(stack, 'kubernetes:core/v1:Service').props, 'spec', 'ports', 0, 'targetPort')).toBe(
      port,
    );
    const ingress = single(stack, 'kubernetes:networking.k8s.io/v1:Ingress').props;
    expect(at(ingress, 'metadata', 'annotations', 'alb.ingress.kubernetes.io/healthcheck-path')).toBe(
      READINESS_PATH,
    );
  });
});
