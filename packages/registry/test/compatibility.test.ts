import type { ModelManifest } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { binaryV2Manifest, multiclassManifest, regressionManifest } from '../../contract/test/fixture.ts';
import { apiBreaks } from '../src/compatibility.ts';

/** A copy of `manifest` changed by `edit`, as a retrained version would be. */
function next<M extends ModelManifest>(manifest: M, edit: (copy: M) => void): M {
  const copy = structuredClone(manifest);
  edit(copy);
  return copy;
}

describe('apiBreaks: what a new version would break for the clients of the current one', () => {
  it('finds nothing when a version accepts every request and answers in the same terms', () => {
    for (const manifest of [binaryV2Manifest(), multiclassManifest(), regressionManifest()]) {
      expect(apiBreaks(manifest, structuredClone(manifest))).toEqual([]);
    }
    const moreCategories = next(multiclassManifest(), (copy) => {
      const site = copy.features[1]!;
      if (site.dtype === 'category') site.categories = ['east', 'north', 'south'];
    });
    expect(apiBreaks(multiclassManifest(), moreCategories)).toEqual([]);
  });

  it('names a task that changed: the answers change shape', () => {
    const current = binaryV2Manifest();
    expect(apiBreaks(current, { ...regressionManifest(), features: current.features })).toEqual([
      'the task changed from binary to regression',
    ]);
  });

  it('names class labels that changed, in name or in order (answers index them)', () => {
    const current = multiclassManifest();
    const renamed = next(current, (copy) => {
      copy.target.classLabels = ['setosa', 'virginica', 'versicolor'];
    });
    expect(apiBreaks(current, renamed)).toEqual([
      'class labels changed from ["setosa","versicolor","virginica"] to ["setosa","virginica","versicolor"]',
    ]);
    const fewer = next(current, (copy) => {
      copy.target.classLabels = ['setosa', 'versicolor'];
    });
    expect(apiBreaks(current, fewer)).toHaveLength(1);
    const binary = binaryV2Manifest();
    const flipped = next(binary, (copy) => {
      copy.target.classLabels = ['pos', 'neg'];
    });
    expect(apiBreaks(binary, flipped)).toEqual(['class labels changed from ["neg","pos"] to ["pos","neg"]']);
  });

  it("names a regression value's unit that changed", () => {
    const current = next(regressionManifest(), (copy) => {
      copy.target.unit = 'mg/dL';
    });
    const mmol = next(current, (copy) => {
      copy.target.unit = 'mmol/L';
    });
    expect(apiBreaks(current, mmol)).toEqual(['the value\'s unit changed from "mg/dL" to "mmol/L"']);
  });

  it('names categories a feature no longer takes, and a feature that changed kind', () => {
    const current = multiclassManifest();
    const narrower = next(current, (copy) => {
      const site = copy.features[1]!;
      if (site.dtype === 'category') site.categories = ['south'];
    });
    expect(apiBreaks(current, narrower)).toEqual(['feature "site" no longer takes "north"']);
    const numeric = next(current, (copy) => {
      copy.features[1] = { ...copy.features[0]!, name: 'site' };
    });
    expect(apiBreaks(current, numeric)).toEqual(['feature "site" takes numbers, not categories']);
    const categorical = next(current, (copy) => {
      copy.features[0] = { ...copy.features[1]!, name: 'petal length' };
    });
    expect(apiBreaks(current, categorical)).toEqual(['feature "petal length" takes categories, not numbers']);
  });
});
