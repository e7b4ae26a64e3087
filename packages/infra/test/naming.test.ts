import { describe, expect, it } from 'vitest';
import { parseEnvironment, parseImageReference, resourceName, standardTags } from '../src/index.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('resource names and tags', () => {
  it('names resources glyco-<env>-<purpose>', () => {
    expect(resourceName('prod', 'model-registry')).toBe('glyco-prod-model-registry');
  });

  it('refuses a purpose that would make an invalid or surprising name', () => {
    expect(() => resourceName('dev', 'Model Registry')).toThrow(/lower-case words joined by hyphens/);
    expect(() => resourceName('dev', 'ecr.api')).toThrow(/purpose "ecr.api"/);
  });

  it('tags every resource with project, environment and managed-by', () => {
    expect(standardTags('dev')).toEqual({ project: 'glyco', environment: 'dev', 'managed-by': 'pulumi' });
  });

  it('accepts only the known environments as stack names', () => {
    expect(parseEnvironment('prod')).toBe('prod');
    expect(() => parseEnvironment('staging')).toThrow(
      /Stack "staging" is not a known environment: .*dev, prod/,
    );
  });
});

describe('image references', () => {
  it('splits an ECR image pinned by digest into its parts', () => {
    expect(parseImageReference(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco/app@${DIGEST}`)).toEqual({
      uri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco/app@${DIGEST}`,
      accountId: '123456789012',
      region: 'eu-west-1',
      repository: 'glyco/app',
      digest: DIGEST,
    });
  });

  it.each([
    ['a tag instead of a digest', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco:latest'],
    ['a short digest', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco@sha256:abc'],
    ['another registry', `docker.io/library/node@${DIGEST}`],
    ['an upper-case repository', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/Glyco@${DIGEST}`],
    ['an empty value', ''],
  ])('refuses %s with the expected form in the message', (_, uri) => {
    expect(() => parseImageReference(uri)).toThrow(
      /<account>\.dkr\.ecr\.<region>\.amazonaws\.com\/<repository>@sha256:/,
    );
  });
});
