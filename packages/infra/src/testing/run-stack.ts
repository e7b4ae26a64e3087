import * as pulumi from '@pulumi/pulumi';
import type { Environment } from '../environment.ts';
import type { PlatformOutputs } from '../platform-outputs.ts';
import type { PolicyResource } from '../policy/rule.ts';
import { committedConfig, flattenConfig } from '../stack-config.ts';
import { awsxChildren } from './awsx/index.ts';
import { mockCall, mockState } from './mock-state.ts';
import { platformFixture, TEST_REGION } from './platform-fixture.ts';

export interface RunStackOptions {
  /** The project name in Pulumi.yaml (the config namespace). */
  project: string;
  stack: Environment;
  /** Directory holding Pulumi.yaml and the committed Pulumi.<stack>.yaml. */
  stackDir: string;
  program: () => Promise<Record<string, pulumi.Input<unknown>>>;
  /** Config set on top of the committed file, as the pipeline does with `pulumi config set`. */
  configOverrides?: Record<string, unknown>;
  /** Answers of provider functions that replace the default mocks (e.g. an empty repository), by token. */
  invokes?: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
  /** Platform outputs that differ from `platformFixture` (e.g. a deploy runner's, or one taken away). */
  platform?: Partial<PlatformOutputs>;
}

/** A run of a whole program: its resources, its outputs, and the graph they form. */
export interface StackRun {
  /**
   * Every resource the program registered, with its inputs and what the engine knows of it (its URN, whose
   * type part names the parents' types, `glyco:ecs:X$aws:lb/…`, and its parent's URN), and the children its
   * awsx components register in a real deployment (which the mocks never see; they carry only the parent).
   */
  resources: PolicyResource[];
  outputs: Record<string, unknown>;
  /** The URNs each resource waits for (its dependsOn and the resources its inputs come from), by `type::name`. */
  dependencies: Map<string, string[]>;
  /** The provider functions the program called (lookups such as `aws.route53.getZone`), which a preview runs too. */
  invokes: Invoke[];
}

export interface Invoke {
  token: string;
  inputs: Record<string, unknown>;
  /** What the (mocked) provider answered. */
  result: Record<string, unknown>;
}

/** Runs a Pulumi program under mocks with a stack's committed config; nothing leaves the process. */
export async function runStack(options: RunStackOptions): Promise<StackRun> {
  const resources: PolicyResource[] = [];
  const invokes: Invoke[] = [];
  const platform = { ...platformFixture(options.stack), ...options.platform };
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        resources.push({ type, name, props: inputs });
        return { id: `${name}-id`, state: mockState(type, name, inputs, platform) };
      },
      call: ({ token, inputs }) => {
        const result = (options.invokes?.[token] ?? ((args) => mockCall(token, args)))(inputs);
        invokes.push({ token, inputs, result });
        return result;
      },
    },
    options.project,
    options.stack,
    false,
    'glyco-test',
  );
  const recorder = recordRegistrations(options.project, options.stack);
  pulumi.runtime.setAllConfig({
    ...committedConfig(options.stackDir, options.project, options.stack),
    ...flattenConfig(options.project, options.configOverrides ?? {}),
  });
  const exported = await options.program();
  const outputs = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(exported).apply((values) => resolve(values as Record<string, unknown>)),
  );
  // Waits for every registration still under way (a resource made from an output registers late).
  await pulumi.runtime.disconnect();
  const registered = resources.map((resource) => ({ ...resource, ...recorder.options.get(key(resource)) }));
  return {
    resources: [...registered, ...awsxChildren(registered, TEST_REGION)],
    outputs,
    dependencies: recorder.dependencies,
    invokes,
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
}

const key = ({ type, name }: { type: string; name: string }) => `${type}::${name}`;

/**
 * What the engine would know of each resource and the mocks' newResource does not see, read from each
 * registration request on its way to the mock monitor: the options it hands the policy pack (`urn`, `parent`,
 * `protect`, `deleteBeforeReplace`, `ignoreChanges`), and the URNs the resource waits for (its dependsOn and the resources its
 * inputs come from). The URN is the mock monitor's own (`MockMonitor.newUrn`: the parent's type chain, then
 * the type, then the name).
 */
function recordRegistrations(project: string, stack: string) {
  const options = new Map<
    string,
    Required<Pick<PolicyResource, 'urn'>> &
      Pick<PolicyResource, 'parent' | 'protect' | 'deleteBeforeReplace' | 'ignoreChanges'>
  >();
  const dependencies = new Map<string, string[]>();
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const parent = request.getParent() || undefined;
    const parentType = parent?.split('::')[2];
    const type = parentType ? `${parentType}$${request.getType()}` : request.getType();
    const resourceKey = key({ type: request.getType(), name: request.getName() });
    options.set(resourceKey, {
      urn: `urn:pulumi:${stack}::${project}::${type}::${request.getName()}`,
      parent,
      protect: request.getProtect() ?? false,
      deleteBeforeReplace: request.getDeletebeforereplace(),
      ignoreChanges: request.getIgnorechangesList(),
    });
    dependencies.set(resourceKey, request.getDependenciesList());
    return register(request, callback);
  };
  return { options, dependencies };
}

export function resourcesOfType(run: StackRun, type: string): PolicyResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one resource of a type (and optional logical name suffix); fails the test when there is not exactly one. */
export function single(run: StackRun, type: string, nameSuffix = ''): PolicyResource {
  const found = resourcesOfType(run, type).filter((resource) => resource.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ''}, found ${found.length}`,
    );
  }
  return found[0]!;
}
