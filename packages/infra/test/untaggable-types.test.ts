import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNTAGGABLE_TYPES } from '../src/policy/rules/tags.ts';

const awsRoot = dirname(createRequire(import.meta.url).resolve('@pulumi/aws/package.json'));

/** `aws:iam/rolePolicy:RolePolicy` → the generated declaration file of that resource in @pulumi/aws. */
function declarationOf(type: string): string {
  const [, module = ''] = type.split(':');
  const [folder = '', file = ''] = module.split('/');
  return readFileSync(join(awsRoot, folder, `${file}.d.ts`), 'utf8');
}

describe('the tag rule exemptions', () => {
  it.each([...UNTAGGABLE_TYPES])('%s really accepts no tags', (type) => {
    expect(declarationOf(type)).not.toMatch(/^\s+tags\?: /m);
  });

  it('would notice a taggable type listed by mistake', () => {
    expect(declarationOf('aws:s3/bucket:Bucket')).toMatch(/^\s+tags\?: /m);
  });
});
