// Validates Kubernetes objects against the Kubernetes OpenAPI schema, as compiled to ajv validators by the
// kubernetes-models package (its README names the Kubernetes release the definitions come from).

import { validate as deployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as horizontalPodAutoscaler } from 'kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler';
import { validate as configMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as namespace } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as service } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as serviceAccount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';
import { validate as ingress } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress';
import { validate as podDisruptionBudget } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget';

interface AjvValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params?: unknown }[] | null;
}

const VALIDATORS: Record<string, AjvValidator> = {
  'v1/ConfigMap': configMap,
  'v1/Namespace': namespace,
  'v1/Service': service,
  'v1/ServiceAccount': serviceAccount,
  'apps/v1/Deployment': deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': horizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': ingress,
  'policy/v1/PodDisruptionBudget': podDisruptionBudget,
};

/** Schema errors of one object, as readable lines; an object of a kind without a validator is an error too. */
export function schemaErrors(object: {
  apiVersion?: unknown;
  kind?: unknown;
  [field: string]: unknown;
}): string[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const validator = VALIDATORS[key];
  if (!validator) return [`no schema validator for ${key}: add one to test/kubernetes-schema.ts`];
  if (validator(object)) return [];
  return (validator.errors ?? []).map(
    (error) =>
      `${key} ${error.instancePath || '/'}: ${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`,
  );
}
