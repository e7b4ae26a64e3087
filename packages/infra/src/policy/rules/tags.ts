import { REQUIRED_TAG_KEYS } from '../../naming.ts';
import { at, type PolicyRule } from '../rule.ts';
import { acceptsTags } from '../taggable-types.ts';

/**
 * Every `aws:` resource that takes tags must carry the standard ones. Whether a type takes tags comes from
 * @pulumi/aws's declaration of it, so a child a component registers is judged like the resources we write; a
 * type @pulumi/aws does not declare is a violation rather than a silent pass.
 */
export const requiredTags: PolicyRule = {
  name: 'required-tags',
  description: `Every taggable AWS resource carries the tags ${REQUIRED_TAG_KEYS.join(', ')}.`,
  appliesTo: (type) => type.startsWith('aws:') && acceptsTags(type) !== false,
  check: ({ type, props }) => {
    if (acceptsTags(type) === undefined) {
      return [`@pulumi/aws declares no resource ${type}, so whether it takes tags is unknown`];
    }
    return REQUIRED_TAG_KEYS.filter(
      (key) => typeof at(props, 'tags', key) !== 'string' || at(props, 'tags', key) === '',
    ).map((key) => `missing tag "${key}"`);
  },
};
