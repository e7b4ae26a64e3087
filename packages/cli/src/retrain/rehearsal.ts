import { ALIASES_DIR } from '@glyco/contract';
import {
  type ObjectStore,
  openRegistry,
  type PromotionEvidence,
  promote,
  publish,
  RegistryError,
} from '@glyco/registry';

export interface Rehearsal {
  store: ObjectStore;
  name: string;
  alias: string;
  championVersion: string;
  challengerVersion: string;
  challengerDir: string;
  trainingData: string;
  minAuc: number | undefined;
  evidence: PromotionEvidence;
  /** An empty directory for the stand-in registry. */
  scratchDir: string;
}

/**
 * What the registry's gates would say to promoting the challenger, without touching the registry: the alias and
 * the champion are copied into a registry in a scratch directory, the challenger is published there, and the
 * same promote runs there. Undefined when it would pass; the refusal otherwise.
 */
export async function rehearsePromotion(rehearsal: Rehearsal): Promise<string | undefined> {
  const { store, name, alias, championVersion } = rehearsal;
  const scratch = openRegistry(rehearsal.scratchDir);
  const keys = [
    `${name}/${ALIASES_DIR}/${alias}.json`,
    ...(await store.listKeys(`${name}/${championVersion}`)).map((key) => `${name}/${championVersion}/${key}`),
  ];
  for (const key of keys) {
    const object = await store.read(key);
    if (object) await scratch.write(key, object.body, { contentType: 'application/octet-stream' });
  }
  await publish(scratch, rehearsal.challengerDir, { data: rehearsal.trainingData });
  try {
    const { minAuc, evidence } = rehearsal;
    await promote(scratch, { name, version: rehearsal.challengerVersion, alias, minAuc, evidence });
    return undefined;
  } catch (error) {
    if (error instanceof RegistryError) return error.message;
    throw error;
  }
}
