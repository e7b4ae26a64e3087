import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AccessRequest, decideWithin, type EvaluableDocument } from '../src/iam/evaluation.ts';
import { ENVIRONMENTS, loadBalancerControllerPolicy } from '../src/index.ts';
import { fixtureBoundary, requestsGrantedBy } from '../src/testing/index.ts';

/**
 * The AWS Load Balancer Controller's own install policy for the version the eks stack pins:
 * kubernetes-sigs/aws-load-balancer-controller, tag v2.13.0 (73980cf1), docs/install/iam_policy.json, Apache-2.0.
 * aws-cdk-lib 2.276.0 (a pinned devDependency) ships that file byte for byte, so the test reads it from there
 * instead of keeping a copy; the hash below is of the upstream file and fails if the package's copy drifts.
 */
const cdkRoot = dirname(createRequire(import.meta.url).resolve('aws-cdk-lib'));
const officialBytes = readFileSync(join(cdkRoot, 'aws-eks/lib/addons/alb-iam_policy-v2.13.0.json'));
const official = JSON.parse(officialBytes.toString('utf8')) as EvaluableDocument;
const UPSTREAM_SHA256 = '16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a';

const ours = loadBalancerControllerPolicy();
const root = new URL('../../../', import.meta.url).pathname;

const describeRequest = ({ action, resource, context }: AccessRequest) =>
  `${action} on ${resource}${Object.keys(context ?? {}).length ? ` with ${JSON.stringify(context)}` : ''}`;

/** The requests `granting` allows that `checked` (within `boundary`, if given) does not. */
function notGranted(granting: EvaluableDocument, checked: EvaluableDocument, boundary?: EvaluableDocument) {
  return [granting.Statement]
    .flat()
    .flatMap(requestsGrantedBy)
    .filter((request) => decideWithin([checked], boundary, request) !== 'allowed')
    .map(describeRequest);
}

describe('the load balancer controller policy', () => {
  it('is checked against the upstream v2.13.0 policy, byte for byte', () => {
    expect(createHash('sha256').update(officialBytes).digest('hex')).toBe(UPSTREAM_SHA256);
  });

  it.each(ENVIRONMENTS)(
    'is the one for the chart the eks stack pins in %s (1.13.0 → controller v2.13.0)',
    (env) => {
      const config = parse(readFileSync(join(root, `stacks/eks/Pulumi.${env}.yaml`), 'utf8')) as {
        config: Record<string, unknown>;
      };
      expect(config.config['glyco-eks:loadBalancerControllerChartVersion']).toBe('1.13.0');
    },
  );

  it('grants every action × resource the upstream policy grants, under the same conditions', () => {
    expect(notGranted(official, ours)).toEqual([]);
  });

  it('grants nothing the upstream policy does not', () => {
    expect(notGranted(ours, official)).toEqual([]);
  });

  it.each(ENVIRONMENTS)('keeps every upstream grant inside the %s workload boundary', (env) => {
    expect(notGranted(official, ours, fixtureBoundary(env).policy)).toEqual([]);
  });
});
